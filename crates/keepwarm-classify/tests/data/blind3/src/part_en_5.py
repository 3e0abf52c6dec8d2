# English, hand-written: extra variety.
LANG = "en"
ALL = "call email sms"
ROWS = [
("Bless your heart for trying but I'm keeping my Buick till the wheels fall off", "not_interested", "southern sarcasm"),
("omg yes!! is it still there?? i've been looking for that exact color for months 😭", "positive vehicle_question", "excited young"),
("I'm stationed in Germany until the 12th. Can we pick this back up when I'm stateside?", "not_now", "military abroad, later"),
("Dude I literally bought a car from YOU last month. Check your CRM. And my passenger window already stopped working", "service", "decoy stopped, existing customer service"),
("Text me the VIN please", "vehicle_question", "VIN"),
("What's the catch", "price_payment", "skeptical price"),
("Can my son test drive it? He's 17 with a permit, I'd be with him", "appointment", "test drive question"),
("Still have my trade-in quote from October? Is it still good?", "trade_in", "quote validity"),
("I'm retired and pay cash. I don't want to be upsold on anything. What's the real price", "price_payment", "cash buyer price"),
("The weekend works. Saturday. Morning. Thank you.", "confirm positive", "terse confirm + thanks"),
("can you hold it till friday i get paid then", "not_now", "hold until payday"),
("Hey Siri text Lakeside Motors I'm running late be there in 30", "reschedule", "dictated text artifact"),
("I'd like to reschedule. Not cancel, just move it to next week.", "reschedule", "decoy cancel negated"),
("Just tell your bot to chill, I'll come in when I'm ready", "not_now", "sarcastic bot"),
("My ex-husband put this number down. I don't want his car and I don't want texts about it. Remove me.", "opt_out wrong_number", "ex spouse, remove", ALL),
("Respectfully, please discontinue all messages to this number.", "opt_out", "formal discontinue", ALL),
("Stop blowing up my phone. Seriously.", "opt_out", "slang phone revoke", ALL),
("I'm done. Unsubscribe me from everything.", "opt_out", "everything", ALL),
("Nope. Not interested, and I never will be, so please spare yourself the effort and take my email off your list.", "opt_out not_interested", "long decline email list", "email"),
("Don't remove me, just send fewer texts lol. Once a week is plenty", "other", "decoy remove negated, frequency"),
]
