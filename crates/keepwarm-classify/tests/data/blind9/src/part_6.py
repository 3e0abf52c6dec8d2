# English: longer emails, sarcasm, terse, mixed
ROWS = [
("""Hi Sam,

Thanks for following up. We're still deciding between the Highlander and the Pilot. A couple of questions:
1. Does the Highlander you have include the tow package?
2. What would our 2016 Odyssey (98k miles, minor scratches) be worth in trade?
3. Are there any incentives for first responders? My husband is a firefighter.

We could come by Saturday afternoon if the numbers make sense.

Best,
Karen Whitlock

Sent from my iPhone""", "vehicle_question trade_in price_payment appointment positive", "en", "long email multi-question", ""),
("""Sounds good, I'll be there at 11.

On Thu, Jan 8, 2026 at 4:47 PM, Jordan Pike <jpike@garden-state-toyota.com> wrote:
> Hi Alex, would 11am Saturday work to see the Prius Prime?""", "confirm", "en", "gmail quoted confirm", ""),
("""No longer in the market, we bought a vehicle last month.

Regards,
Tom Nakamura
Senior Project Manager | Desert Sky Builders
(480) 555-0171

From: Camelback Mazda <internet@camelbackmazda.com>
Sent: Friday, January 16, 2026 10:12 AM
To: Tom Nakamura
Subject: Still thinking about the CX-90?""", "bought_elsewhere", "en", "outlook quoted bought", ""),
("""Can you tell me if the 2022 Ram 2500 (stock #R4471) has the Cummins? Listing doesn't say.

Get Outlook for Android""", "vehicle_question", "en", "outlook android stock number", ""),
("""Please call me at your earliest convenience regarding financing options. I have been a Kia owner for 9 years and would like to stay with the brand.

Thank you,
Gloria Pettway""", "human_request credit_finance positive", "en", "formal email call finance", ""),
("""Hi - I'm out of the country until the 28th. I'll reach out when I'm back and we can set up a time. Still interested in the Crosstrek.

Sent from my iPad""", "not_now", "en", "traveling later", ""),
("Oh great, another text. Exactly what I needed today 🙄", "other", "en", "sarcasm no request", ""),
("wow 5 texts in 2 days, you guys must REALLY need to sell this car lol. what's your best price then", "price_payment", "en", "sarcasm + price", ""),
("Sure, I'll just pay sticker plus markup, right? 😂 Get back to me when it's a real number", "price_payment", "en", "sarcasm price", ""),
("Yeah because a 2019 with 90k is totally worth 28k. Cool cool.", "price_payment", "en", "sarcasm price value", ""),
("Lol no", "not_interested", "en", "lol no", ""),
("maybe", "other", "en", "bare maybe", ""),
("Who's Sam", "other", "en", "who is sam", ""),
("Which dealership is this?", "other", "en", "which dealer", ""),
("wait which car was this about, I've been asking like 4 places", "other", "en", "shopping several confused", ""),
("Tacoma or 4Runner - which one was I asking about? lol. Either way send me the price on both", "price_payment", "en", "forgetful several", ""),
("ok", "confirm", "en", "bare ok", ""),
("Y", "confirm", "en", "bare Y", ""),
("Sat", "appointment", "en", "terse sat", ""),
("eve", "appointment", "en", "terse evening", ""),
("price?", "price_payment", "en", "terse price", ""),
("miles?", "vehicle_question", "en", "terse miles", ""),
("hrs?", "appointment", "en", "terse hours", ""),
("call me", "human_request", "en", "terse call me", ""),
("how much", "price_payment", "en", "terse how much", ""),
("4x4?", "vehicle_question", "en", "terse 4x4", ""),
("Not until summer", "not_now", "en", "terse later", ""),
("TY!", "positive", "en", "ty caps", ""),
("Thx", "positive", "en", "thx", ""),
("THIS IS EXACTLY WHAT IM LOOKING FOR!!! IS IT STILL AVAILABLE", "vehicle_question positive", "en", "caps enthusiastic", ""),
("Is it still available? I'm coming from Kingman, 2 hr drive, don't want to show up and it's gone", "vehicle_question", "en", "rural distance check", ""),
("I'll need to see it in person, I don't buy sight unseen. Weekday evening better, I commute to the city", "appointment", "en", "weekday evening commute", ""),
("Hey! Yes I'm still interested. I just got off a 12 hr shift so I'll text tomorrow when I'm human again lol", "not_now", "en", "nurse tired", ""),
("Can you just text me the numbers? I really don't want to sit at the dealership for 5 hours", "price_payment", "en", "numbers by text", ""),
("Do you price match? Autonation has the same truck 2k cheaper", "price_payment", "en", "price match several", ""),
("Just want to let you know I'm comparing your offer with two other dealers. Will get back to you by Friday.", "not_now", "en", "comparing dealers later", ""),
("Got a better deal at Freehold Ford, unless you can beat $41,200 OTD I'm going there tomorrow", "price_payment", "en", "beat quote tomorrow", ""),
("What's the cheapest truck you have that runs", "price_payment", "en", "cheapest truck", ""),
("I'm 19 and just got my first real job. What do I need to buy a car? I've never done this", "credit_finance", "en", "first time buyer", ""),
("My parents are helping me with the down payment. Can we all come in Sunday? My dad wants to look under the hood lol", "appointment credit_finance", "en", "student parents Sunday", ""),
("Is the Civic manual or automatic? My son is learning stick", "vehicle_question", "en", "transmission teen", ""),
("What's the insurance group on the WRX? My 17 yr old wants one and I want to say no lol", "vehicle_question", "en", "parent teen wrx", ""),
("Gonna be honest, my credit got wrecked in my divorce. I make decent money now. Is there any path?", "credit_finance", "en", "divorce credit", ""),
("I have a car loan with you guys already. Can I refinance with you?", "credit_finance", "en", "refinance", ""),
("I was told I was approved and now you're saying I need a cosigner?? Please have the finance manager call me", "credit_finance human_request", "en", "finance mgr call", ""),
("thank u so much for getting me approved!!! 😭😭 first car ever", "positive credit_finance", "en", "excited approved", ""),
("Picked up the Rogue yesterday, love it! Thanks everyone at the store", "positive", "en", "happy customer", ""),
("Could you please send me the window sticker for the Telluride?", "vehicle_question", "en", "window sticker", ""),
("Mmm maybe next month. Rent's due", "not_now", "en", "rent due", ""),
("ya'll got any single cab long beds? need it for the ranch", "vehicle_question", "en", "rural ranch", ""),
("Does it have the max tow package? Pulling a 5th wheel to Quartzsite every winter", "vehicle_question", "en", "retiree 5th wheel", ""),
("We're snowbirds, back in Mesa in November. Can we revisit then?", "not_now", "en", "snowbirds", ""),
("I already told the other guy I'm not interested. Y'all talk to each other?", "not_interested", "en", "already told", ""),
("Not interested in that one. Got anything with a 3rd row for less?", "vehicle_question price_payment", "en", "not that one, pivot", ""),
("I'm good with my current car but my wife might want something. I'll pass this along", "not_interested", "en", "pass along", ""),
("Can I trade in my motorcycle? 2018 Harley Street Glide", "trade_in", "en", "motorcycle trade", ""),
("does the trade in have to be paid off first", "trade_in credit_finance", "en", "trade payoff question", ""),
("Im in Laredo, do u guys take mexican license for the test drive", "appointment", "en", "border test drive", ""),
("What are your service hours on Saturday", "service appointment", "en", "service hours", ""),
("Yes please schedule it. Also my tire pressure light keeps coming on, can they check it while I'm there?", "confirm service", "en", "confirm + service", ""),
("My car is making a grinding noise when I brake. Is it safe to drive until Monday?", "service", "en", "grinding brake", ""),
("Hello? Anyone there? I replied yesterday and nobody answered", "human_request", "en", "no response follow-up", ""),
("Can a woman please call me. Last time the sales guy talked down to me.", "human_request", "en", "preference rep", ""),
("Hi, this is Lisa's husband. She's at work. We want the Pilot. Can we come sign tonight after 7?", "appointment", "en", "spouse answering", ""),
("Would you take 19 even for the Accord? Cash, this weekend", "price_payment", "en", "offer cash", ""),
("I'm a teacher, don't get paid over the summer. Anything with low payments that starts in September?", "credit_finance price_payment", "en", "teacher deferred", ""),
("Just making sure you got my credit app. I submitted it Tuesday night", "credit_finance", "en", "app status", ""),
("Got pulled over today bc my registration expired on the old car. Seriously need to get this done this week", "urgent_timeline", "en", "urgent registration", ""),
("My commute to Trenton is killing my old Corolla. Need something before it dies. Hybrid preferably. What do you have under 25?", "urgent_timeline vehicle_question price_payment", "en", "commuter dying car", ""),
("Engine light came on in the Malibu I bought from you 3 weeks ago. Not happy. Need someone to call me today", "service human_request", "en", "upset recent buyer", ""),
("I need a car by Thursday for my chemo appointments. My sister will co-sign. Please help", "urgent_timeline credit_finance", "en", "medical urgent cosign", ""),
("I'd like to come in but I don't have a ride to get there lol, my car is the problem. Can someone pick me up?", "appointment", "en", "needs pickup", ""),
("We got hit by the hail storm and the insurance totaled our CR-V. Need something with AWD by next week, kids have school", "urgent_timeline vehicle_question", "en", "hail total", ""),
("Wonderful, thank you Kelly. We'll see you at 3 on Friday.", "confirm positive", "en", "polite confirm thanks", ""),
("Is the price negotiable?", "price_payment", "en", "negotiable", ""),
("Still have the black Charger? My boy wants it for graduation. How much", "vehicle_question price_payment", "en", "graduation gift", ""),
("Hey I'm at the front desk, who am I supposed to ask for?", "appointment human_request", "en", "at store ask for", ""),
("Here now", "confirm", "en", "arrived", ""),
("On my way", "confirm", "en", "on my way", ""),
("Be there in 10", "confirm", "en", "be there 10", ""),
("Can we do 5:45 instead of 5? My shift ends at 5:15", "reschedule", "en", "shift change time", ""),
("Rain check on tomorrow? Roads are iced over out here", "reschedule", "en", "rural ice", ""),
("I'm so sorry I missed it yesterday, my daughter had a fever. Can we try Monday?", "reschedule", "en", "missed appt", ""),
]
