# Hand-written English e-mails, voicemail transcripts, auto-replies and long replies.
A = "call email sms".split()
ROWS = [
    ("""Please remove me from your email list.

On Tue, Mar 4, 2025 at 9:12 AM Lakeside Motors <sales@lakesidemotors.example> wrote:
> Hi Dana, the 2024 RAV4 you asked about is still here — would Saturday morning or a weekday evening be easier?

Sent from my iPhone""", ["opt_out"], "en", "gmail quoted email unsubscribe", ["email"]),
    ("""Unsubscribe

-----Original Message-----
From: Northgate Ford Internet Sales <internet@northgateford.example>
Sent: Wednesday, January 15, 2025 4:02 PM
To: Greg Halvorsen
Subject: Still thinking about the Escape?

Greg Halvorsen | Halvorsen Electric LLC | (612) 555-0148""", ["opt_out"], "en", "outlook quoted unsubscribe signature", ["email"]),
    ("""Hi Sam,

Thanks for reaching out. We ended up purchasing a 2023 Highlander from another dealership last week, so we're all set. I appreciate your patience with all our questions.

Best,
Mei Lin Zhou

On Mon, Feb 10, 2025 at 11:40 AM Sam Reyes <sreyes@lakesidemotors.example> wrote:
> Hi Mei Lin, just checking in on the Highlander...""", ["bought_elsewhere", "positive"], "en", "gmail bought elsewhere thanks", None),
    ("""I am out of the office until Monday, March 17 with limited access to email. For urgent matters please contact Jason Whitfield at jwhitfield@corbettlogistics.example.

Regards,
Tara Simmons
Fleet Coordinator | Corbett Logistics""", ["other"], "en", "out of office auto-reply", None),
    ("Automatic reply: Thank you for your email. I am currently on maternity leave and will respond upon my return in April.", ["other"], "en", "auto-reply maternity, no positive", None),
    ("I'm driving with Do Not Disturb While Driving turned on. I'll see your message when I get where I'm going.", ["other"], "en", "iOS driving auto-reply", None),
    ("[Voicemail transcript] Hi, uh, this is Carl Bennett, I got your message about the Silverado. Give me a call back when you get a chance, my number is 417-555-0192. Thanks.", ["human_request", "positive"], "en", "voicemail callback", None),
    ("Voicemail: hey it's Renee, I was calling about the Tahoe, um, I'm wondering if you'd take my Traverse as a trade, it's got about 90,000 on it. Call me back at this number.", ["trade_in", "human_request"], "en", "voicemail trade callback", None),
    ("Voice message transcription: Yes hello this is Mr. Dwight Paulson, I have received about 10 of your calls and I want them to end. Do not call this number again. Goodbye.", ["opt_out"], "en", "voicemail opt out call", ["call"]),
    ("""Good afternoon,

My name is Priya and I submitted an inquiry on the 2022 Outback. A few questions before I come in:
1. Has it been in any accidents?
2. Are there any dealer add-ons not listed in the price?
3. I have a 2015 Forester with 120k I'd like to trade. Can you give me a rough number?
4. I'm pre-approved through my credit union at 6.1%. Can you beat that?

I'm hoping to make a decision by the end of next week because my current car's transmission is slipping.

Thank you,
Priya Raman""", ["vehicle_question", "price_payment", "trade_in", "credit_finance", "urgent_timeline", "positive"], "en", "long email multi-question", None),
    ("""Please stop emailing me. I was clear with your colleague on the phone that I am not interested.

Sent from Outlook for Android""", ["opt_out", "not_interested"], "en", "outlook mobile stop email", ["email"]),
    ("""No.

Sent from my iPhone

> On Nov 3, 2024, at 10:15 AM, Riverbend Chevrolet <bdc@riverbendchevy.example> wrote:
> 
> Hi Ron! Are you still in the market for the Equinox?""", ["not_interested"], "en", "quoted one word no", None),
    ("""Saturday 10am works. See you then.

Get Outlook for iOS
________________________________
From: Sam Reyes <sreyes@lakesidemotors.example>
Sent: Thursday, April 3, 2025 2:11:48 PM
Subject: RAV4 appointment""", ["confirm"], "en", "outlook confirm", None),
    ("""Can we push our appointment to next Friday? My husband's flight got changed.

Thanks,
Alicia

On Wed, Jun 4, 2025, 3:30 PM Desert Sky Hyundai <sales@desertskyhyundai.example> wrote:
> Looking forward to seeing you Saturday at 1pm!""", ["reschedule", "positive"], "en", "gmail reschedule thanks", None),
    ("""Hello,

This email address belongs to the Hollis Family Trust. Robert Hollis passed away in August. Please update your records.

Margaret Hollis, Trustee""", ["wrong_number"], "en", "deceased email update records no revocation", None),
    ("""Who is Jeremy? This is a work email for Pinecrest Dental. You have the wrong address, please remove it from your system so we stop getting these.""", ["opt_out", "wrong_number"], "en", "wrong email remove", ["email"]),
    ("[Voicemail] Hi this message is for Sam, it's Denise Arnold. I'm really interested in that Sienna but I need to talk to somebody about financing 'cause my credit's kind of a mess after the divorce. Please call me back, any time after 4.", ["human_request", "credit_finance"], "en", "voicemail credit", None),
    ("[Transcript] Yeah this is Hector, I was supposed to come in at two today but my kid's sick, can we do Monday? Call me back.", ["reschedule", "human_request"], "en", "voicemail reschedule", None),
    ("""I'm going to be blunt. I've received 14 emails and 9 texts from your dealership in two weeks after filling out a single form on CarGurus. This is excessive. Remove me from every list you have — email, text, phone — immediately. If I hear from you again I will be contacting the state attorney general's office.

— J. Whitcomb""", ["opt_out"], "en", "long angry legal threat", A),
    ("""Hi there — a few things. My daughter Emma (17) is getting her first car and we're looking at the Corolla and the Civic. I'm a single mom so the budget is tight, around $250/month max. My credit is decent, 680ish. Also, do you have anything with low miles and good safety ratings? We can come in any evening after 6 except Wednesday. Thank you so much for your patience!!""", ["price_payment", "credit_finance", "vehicle_question", "appointment", "positive"], "en", "long parent multi", None),
    ("Thank you for contacting Meridian Insurance Group. Our office hours are 8:30-5:00 M-F. Your message has been received and someone will respond within 1 business day.", ["other"], "en", "business auto-reply", None),
    ("This mailbox is no longer monitored. Please direct correspondence to info@tristatehvac.example", ["other"], "en", "unmonitored mailbox auto-reply", None),
    ("""Bought a 2024 Tacoma from Sunset Toyota on Saturday. Also, your emails go straight to my spam folder so you might want to check that. Take me off please.

Sent from Yahoo Mail for iPhone""", ["opt_out", "bought_elsewhere"], "en", "yahoo bought remove", ["email"]),
    ("""What's your best out the door price on the 2024 Accord EX-L in white? I have two other quotes and I'm buying this week.

On Fri, Aug 9, 2024 at 8:01 AM Valley Honda <leads@valleyhonda.example> wrote:
> Hi Kevin, the Accord you asked about...""", ["price_payment", "urgent_timeline"], "en", "email OTD quote buying this week", None),
    ("[Voicemail transcript] Hi this is Pastor Gene Whitaker at New Hope Baptist, we're looking at getting a van for the youth group, about 12 passenger. If someone could give me a call at the church office, 555-0133. God bless.", ["human_request", "vehicle_question"], "en", "voicemail church", None),
    ("Voicemail: [inaudible] ...the truck ... call me ... [inaudible] ...eight four two.", ["human_request"], "en", "garbled voicemail", None),
    ("""Thank you for your message. I'm currently traveling internationally with limited connectivity through 6/30. If this is regarding the Sorrento Ave property please contact my assistant.""", ["other"], "en", "travel auto-reply", None),
    ("""Yes, I'm still interested in the F-250. But I'm going to be honest with you, I had a bad experience at your service department last year and I'd want to talk to a manager before I commit to buying from you again.

Rick Duran
Duran Roofing & Gutters
Cell: (509) 555-0177""", ["human_request"], "en", "email manager past service", None),
    ("""Hi Sam! Sorry for the late reply — we had the baby early!! 🎉 So now we REALLY need that minivan lol. My husband will come in Saturday with our old Mazda 5 to trade in. Can you have the Odyssey ready?

Sent from my iPhone""", ["positive", "urgent_timeline", "trade_in", "appointment"], "en", "baby early email", None),
    ("Voicemail transcription: Hey, this is, uh, Travis. I'm looking for something for my son, he's sixteen, just got his permit. I got about eight grand cash. Y'all got anything? Call me back.", ["human_request", "price_payment", "vehicle_question"], "en", "voicemail dad teen cash", None),
    ("""Not interested. Please do not contact me via email or phone going forward.

Sincerely,
Dr. Anita Bhatt""", ["opt_out", "not_interested"], "en", "email and phone", ["call", "email"]),
    ("""Sam, I filled out the credit app online last night. Did it go through? I need to know if I'm approved before my lease turns in on the 28th.

Kenji""", ["credit_finance", "urgent_timeline"], "en", "credit app lease deadline", None),
    ("""I received this email in error. I do not know a "Brandon." Please correct your records.""", ["wrong_number"], "en", "wrong email correct records", None),
    ("[Voicemail] This is Sheila from Harmon Street Bakery, we have two delivery vans we want to replace and we'd like to know if you do fleet discounts. Call me 555-0161 thanks", ["human_request", "price_payment", "positive"], "en", "voicemail small business replace", None),
    ("""Please take me off your list.  I've been trying to get off it for months.

-----Original Message-----
From: noreply@parksidekia.example
Subject: Your Kia Telluride is waiting!""", ["opt_out"], "en", "outlook quoted take off (thank you)", A),
    ("""Hey Sam, thanks for the info. A couple things:
- I'm also looking at a Ram at the Dodge dealer down the street, so I need your best number
- my credit took a hit during COVID, I'm around 590
- I get off work at 5:30 most days

Let me know.""", ["positive", "price_payment", "credit_finance", "appointment"], "en", "bulleted multi shopping", None),
    ("Out of office: I'm on a job site with no signal until Thursday. Text 555-0190 for emergencies.", ["other"], "en", "jobsite auto-reply", None),
    ("[Voicemail] Hi, I'm returning a call from this number? I don't know who this is. Okay bye.", ["other"], "en", "voicemail who is this", None),
    ("""Hello,

I am the executor for the estate of Walter Brandt. Walter passed on Feb 2. He will not be purchasing a vehicle. Please remove his contact information from all of your marketing lists.

Lorraine Brandt""", ["opt_out", "wrong_number"], "en", "estate executor remove", A),
    ("Voicemail transcript: Hi this is Ana, I'm at the dealership right now and nobody's at the front, where is Sam??", ["human_request", "appointment"], "en", "voicemail at dealership", None),
    ("""See you at 6! Do I need to bring anything for the trade-in, like the title? I still owe a little on it, maybe 2k.

> On Oct 2, 2024, at 12:04 PM, Sam at Lakeside Motors wrote:
> Perfect, 6pm Thursday it is.""", ["confirm", "trade_in", "credit_finance"], "en", "confirm + trade docs owed", None),
]
