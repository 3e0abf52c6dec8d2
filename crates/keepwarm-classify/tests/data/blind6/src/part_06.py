# English: long e-mails, quoted replies, voicemails, assorted intents. Hand-written.
LANG = "en"
ROWS = [
("""Hi Brianna,

Thanks for reaching out again. It's been a crazy couple of weeks here — my mother-in-law moved in with us, we're redoing the downstairs bathroom so she doesn't have to do stairs, and the dog had surgery on his knee (he's fine, just mopey). So I apologize for going quiet on you.

Anyway, the reason I'm writing: we do still want to get my wife into something bigger, and I think the Palisade is the one. My 2018 Sonata has about 71,000 miles and we still owe maybe $4,800 on it through Capital One. Could you run numbers with that as a trade? We'd want to keep the payment around $550.

Also the garage door is 7 feet, so if there's a roof rack option we'll skip it lol.

Thanks again, talk soon,
Mike Delgado
Sent from my iPhone""", "trade_in,credit_finance,price_payment,positive", "long email buried request", None),
("""On Wed, Oct 2, 2024 at 3:41 PM Lakeside Motors <sales@lakesidemotors.example> wrote:
> Hi Dana, the 2024 RAV4 you asked about is still here!

Is it the XLE Premium or just the XLE? The listing says both.

Dana""", "vehicle_question", "gmail reply quoted on top", None),
("""Yes we are still interested, Sunday afternoon would be best. Sorry for the delay.

From: Omar Haddad <ohaddad@northsidenissan.example>
Sent: Monday, May 5, 2025 9:02 AM
To: Patricia Lowe
Subject: RE: Your Rogue inquiry

Hi Patricia, would Saturday or Sunday work to stop by?""", "appointment", "outlook reply picks day; decoy stop by in quote", None),
("""Good evening,

I am writing in response to your several telephone messages. I am a retired schoolteacher and I check my messages only once daily, so please forgive the delay. I should like very much to test drive the Lexus ES you have on consignment, preferably on a weekday morning when the roads are quieter. Would Tuesday the 11th at ten o'clock be convenient?

With kind regards,
Margaret O. Fairbanks""", "appointment", "older formal", None),
("""Hey Josh,

So I talked it over with my husband last night and here's where we landed. We love the Telluride, the kids loved the captain's chairs, my husband is still grumbling about the price but that's just him. We are looking at one at Beltway Kia too (don't be mad, gotta shop around). They offered us $2k off MSRP and $19,500 for the Pilot.

If you can match that or get close, we'd come in this weekend. Honestly we like your dealership better, the waiting room doesn't smell like burnt coffee lol.

Oh and does the SX come with the heads-up display or is that only on the X-Pro?

Thanks!
Rachel""", "price_payment,trade_in,vehicle_question,positive", "long email multi-dealer", None),
("""---------- Forwarded message ---------
From: Tim Baxter
Date: Thu, Jan 9
Subject: Fwd: F-250 quote

Babe can you reply to these people, I'm on the rig til Sunday. Tell them yes we want the quote but include the bed cover and ask about 0% financing.

---------- Forwarded message ---------
From: Lonestar Ford
Subject: F-250 quote

Hi Tim, we can put together numbers on the F-250 Lariat. What options matter most?""", "price_payment,credit_finance,vehicle_question", "spouse forwarded email", None),
("Voicemail: hi um this is Gloria Banks, I got a text from you about the Equinox and uh, I have a question about the financing, I was told I'd need 3000 down and I don't have that, is there any other way, please call me back, 555-0114, thank you", "credit_finance,human_request,positive", "voicemail transcript", None),
("Re your question last week about budget — we can go up to $450 a month max. Still want to see the Escape.", "price_payment,appointment", "answers earlier question", None),
("Oh and to answer what you asked before, yes it's a clean title and I have both keys. The Kia I mean.", "trade_in", "answers earlier question", None),
("wait which car was this about again", "other", "confused", None),
("Lol you texted me at 11pm. Anyway yes still looking, whats the cheapest 4runner you got", "price_payment", "sarcasm + price", None),
("Oh sure, let me just drop everything for a Saturday morning slot 🙄 I work Saturdays. Tuesday evening?", "appointment", "sarcasm + propose", None),
("Wow another text. Must be Tuesday. Fine, what's the price on the Kona", "price_payment", "sarcasm not opt-out", None),
("Hey, I'm not in a rush but I'm curious what my 2020 Wrangler is worth. 41k miles, soft top", "trade_in", "trade value", None),
("I sell about 6 trucks a year for my construction company. If you can give me a volume deal I'll come to you for all of them", "price_payment", "fleet", None),
("This is Jay at Metro Plumbing — we need 2 vans by the 1st, our old ones failed inspection. Do you have two Express 2500s?", "urgent_timeline,vehicle_question", "fleet urgent", None),
("My daughter starts college in August 3 states away, need a reliable car for her before then. We'll pay cash, around 12k. What do you have?", "urgent_timeline,price_payment", "parent for student", None),
("Is the Charger a V8 or V6? Son says it's a Scat Pack, I say no", "vehicle_question", "parent teen", None),
("Sorry who's Sam? I think you have the wrong number, I'm Tricia", "wrong_number", "wrong number", None),
("This is Denise's old number, she doesn't have it anymore", "wrong_number", "recycled number", None),
("You've got the wrong email, I'm not Robert and I've never been to Ohio", "wrong_number", "wrong email", None),
("Wrong number but good luck selling the car lol", "wrong_number", "wrong number friendly", None),
("I passed my road test!!! Can we come Saturday to look at the Fit 🎉", "appointment,positive", "teen enthusiasm", None),
("Need a car soon, my ex took the one in both our names. Credit is in shambles because of him. Please tell me you work with people like me", "urgent_timeline,credit_finance", "credit trouble divorce", None),
("Do you report to all three bureaus if I finance with you? Trying to rebuild", "credit_finance", "credit rebuild", None),
("What rate would I get with a 680", "credit_finance", "rate question", None),
("Gonna pass for now. Maybe next year.", "not_now", "later", None),
("We're not ready until after the holidays. Feel free to check back in January", "not_now", "later", None),
("no thanks", "not_interested", "terse", None),
("Not looking anymore, decided to fix my old one", "not_interested", "fixed car", None),
("We decided to keep the Highlander another couple years, not interested right now", "not_interested", "keep car", None),
("Bought a used Accord from a private seller.", "bought_elsewhere", "private sale", None),
("Already got a car. Traded at Carmax.", "bought_elsewhere", "carmax", None),
("My husband went and bought a truck without telling me so I guess we're done 🤦‍♀️", "bought_elsewhere", "spouse bought", None),
("Ended up buying from Grand Motors across town, they had the color. Thank you for your help though!", "bought_elsewhere,positive", "bought + thanks", None),
("Hi I need an oil change and tire rotation on my 2021 Accord. Do you take walk-ins?", "service", "service", None),
("The airbag light came on and I'm driving 2 kids tomorrow, can you look at it today?", "service,urgent_timeline", "urgent service", None),
("Is my car done yet? Dropped it off for the recall on Monday", "service", "service status", None),
("Does the warranty cover a cracked windshield on a CPO?", "service,vehicle_question", "warranty", None),
("Moving my appointment from Thurs to Fri, same time if that's ok", "reschedule", "move appt", None),
("Running late, there in 20", "reschedule", "running late", None),
("I'm gonna have to cancel today, sorry, my kid got sent home sick", "reschedule", "decoy cancel appt", None),
("Can we do Saturday instead of Sunday? Mom has church", "reschedule", "move appt", None),
("Confirmed. See you Tuesday at 5.", "confirm", "confirm", None),
("Sounds good", "confirm", "neutral agree", None),
("Yes 10am works, where do I park?", "confirm,appointment", "confirm + location", None),
("Yep we'll be there. Is it the building on Route 9 or the one by the Walmart?", "confirm,appointment", "confirm + location", None),
("Sat 9:30?", "appointment", "propose time", None),
("Can I test drive the Mach-E this week", "appointment", "test drive", None),
("What are your hours on Sunday", "appointment", "hours", None),
("Hey, weekday evening is better for me, like 6:30 Tues or Wed", "appointment", "answers a/b question", None),
("Hi yes I'd love to see it! Weekday evening is better 😊", "appointment,positive", "answers a/b + enthusiasm", None),
("Saturday morning", "appointment", "answers a/b terse", None),
("Hello? Anyone there? Been waiting 2 days for a callback on the Tahoe", "human_request", "waiting callback", None),
("Can I talk to Rick? He sold me my last car", "human_request", "named rep", None),
("Please have a manager call me. I was promised a free oil change with purchase and the service dept says no.", "human_request,service", "manager complaint", None),
("Are you a robot lol", "human_request", "bot question", None),
("I'd rather just talk on the phone, texting is hard for me. 555-0177", "human_request", "prefers phone", None),
("Hey", "other", "greeting", None),
("Good morning", "other", "greeting", None),
("sorry wrong chat", "other", "accidental send", None),
("Pick up milk on the way home", "other", "accidental send", None),
("Is this the same place that did my inspection? Wondering bc you have my number somehow", "other", "privacy question", None),
("Thank you for the update.", "positive", "gratitude", None),
("Appreciate you following up!", "positive", "gratitude", None),
("Thx", "positive", "terse thanks", None),
("🔥🔥🔥 that truck is sick", "positive", "emoji enthusiasm", None),
("🙏", "positive", "emoji", None),
("You guys have been awesome, I'll send my brother your way", "positive", "referral", None),
("Do you still have the grey Highlander? And what's the payment if I put 5k down and trade my 2015 Tahoe?", "vehicle_question,price_payment,trade_in", "multi", None),
("I need a truck by the 20th for a job out in Midland. I've got a 2013 Ram 1500 with a bad trans to trade and my credit's around 600. Can we make something happen?", "urgent_timeline,trade_in,credit_finance", "triple intent", None),
("Got laid off, need to get out of my 700/month payment. Can I trade down to something cheaper even though I'm upside down?", "trade_in,credit_finance,price_payment", "credit trouble", None),
("Rural route, no street address. Will you deliver to the feed store in Bonham? I'd pay the fuel", "appointment", "rural delivery", None),
("Do you ship out of state? I'm in Wyoming and your Tacoma TRD Pro is $3k cheaper than anything out here", "vehicle_question,price_payment", "out of state", None),
("Whats the apr on the 0 down special", "credit_finance", "apr", None),
("Is GAP insurance required if I finance through you", "credit_finance", "gap", None),
("My car was stolen last night and found wrecked. Insurance says total. I have no way to get to work, I can come in tonight if you can get me in something.", "urgent_timeline,appointment", "stolen total", None),
("Can my wife and I both be on the loan? Her credit is better than mine", "credit_finance", "joint loan", None),
("yo whats good, still got that charger? what u want for it", "vehicle_question,price_payment", "slang", None),
("Please have Luis text me the VIN and the out the door price, I'm comparing with 2 other dealers", "price_payment,vehicle_question,human_request", "multi-dealer", None),
("ok", "confirm", "terse", None),
("Nope", "not_interested", "terse no", None),
("Keep me posted if a 2020-2022 Pilot comes in, under 60k miles", "vehicle_question", "wishlist", None),
("How many miles on the Altima and was it a rental", "vehicle_question", "history", None),
("What's the difference between the SE and the XSE, and is the XSE worth the extra $", "vehicle_question,price_payment", "trim + price", None),
("I'll take it. What do I need to bring", "appointment", "ready to buy", None),
("Who would I talk to about buying out my lease early? It's an Ioniq 5 from Hyundai Financial", "credit_finance,human_request", "lease buyout", None),
("I'm upside down like 8k on my Charger. Is there any way to roll that into something cheaper?", "trade_in,credit_finance", "negative equity", None),
("The tire pressure light keeps coming on in the car I bought from you 2 weeks ago", "service", "post-sale service", None),
]
