# Extra multi-intent rows
ROWS = [
("Can I come at 6 Thursday? I'll have my 2017 Tahoe with me for the trade, still owe around 12k on it", "appointment trade_in credit_finance", "en", "time + trade owe", ""),
("Is the Frontier still there and what's the out the door? Need it before I start at the refinery on the 9th", "vehicle_question price_payment urgent_timeline", "en", "three intents refinery", ""),
("Thanks for the quick reply! Does it have a backup camera? And do you guys work with first time buyers?", "positive vehicle_question credit_finance", "en", "thanks + feature + credit", ""),
("Ugh I have to move Saturday's appt, work called me in. Also can you have the finance guy call me before then", "reschedule human_request credit_finance", "en", "reschedule + finance call", ""),
("yes 11 works. my credit is trash btw so lmk if that's a problem before i drive out", "confirm credit_finance", "en", "confirm + credit", ""),
("Bought my wife's car somewhere else but I still need a work truck for me. What do you have with a long bed?", "bought_elsewhere vehicle_question", "en", "bought one, still shopping", ""),
("We're shopping for our daughter's first car and also want to trade my husband's old Accord. Can we come Sunday after church?", "trade_in appointment", "en", "family multi", ""),
("Price on the Sorento? and is it AWD", "price_payment vehicle_question", "en", "terse price + feature", ""),
("I'm a rideshare driver and my car just failed inspection. Need something today or tomorrow. Can someone call me, I'm driving", "urgent_timeline human_request", "en", "rideshare urgent call", ""),
("Will be there at 4 like we said 👍 what's the address for the used car building, is it different?", "confirm appointment", "en", "confirm + address", ""),
("Sí me interesa la Tacoma, ¿cuánto me dan por mi Tundra 2010? Y ¿me pueden llamar en la tarde?", "trade_in human_request", "es", "trade + call", ""),
("Gracias por escribir! Ahorita no puedo ir, pero ¿la tienen en gris? Voy la próxima semana", "positive vehicle_question not_now", "es", "thanks + color + later", ""),
("Se me descompuso la van del negocio, necesito otra esta semana. ¿Financian a nombre de la compañía?", "urgent_timeline credit_finance", "es", "business van urgent", ""),
("Ok, el jueves a las 6 está bien. ¿Tienen a alguien que hable español en finanzas?", "confirm human_request credit_finance", "es", "confirm + spanish finance", ""),
("Cuánto cuesta y si aceptan mi carro a cuenta, es un Versa 2019 y lo sigo pagando", "price_payment trade_in credit_finance", "es", "price + trade owe", ""),
]
