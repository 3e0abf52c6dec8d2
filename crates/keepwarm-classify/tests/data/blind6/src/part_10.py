# More Spanish / Spanglish: Caribbean, Southern Cone, Central America, complaints, forwards. Hand-written.
LANG = "es"
A = ["call", "email", "sms"]
ROWS = [
("Mirá, ya van como ocho mensajes esta semana. No me escribás más, por favor.", "opt_out", "voseo complaint opt-out", ["email", "sms"]),
("Loco, no me llamés más que estoy laburando", "opt_out", "voseo", ["call"]),
("Oye, ¿tú no entiendes? Ya compré. Bórrame de la lista, ¡qué jartera!", "opt_out,bought_elsewhere", "dominican", A),
("Ay bendito, otro mensaje… mira, no me interesa, no me textees más", "opt_out,not_interested", "puerto rican", ["sms"]),
("""El vie, 7 feb 2025 a las 9:03, Ventas Internet <ventas@plazahonda.example> escribió:
> Hola Sr. Paredes, ¿sigue interesado en la CR-V?

No. Ya les dije por teléfono. Quítenme de sus correos, por favor.

Ing. Hernán Paredes
Enviado desde Outlook para Android""", "opt_out,not_interested", "quoted escribió opt-out", ["email"]),
("Este es el 5to mensaje de hoy. Ya no más.", "opt_out", "complaint opt-out", A),
("Reenvío lo que me dice mi marido: que ya dejen de marcarle al trabajo, que él les habla si quiere algo.", "opt_out", "spouse forwarded", ["call"]),
("Dejen de mandar texto, ta bueno ya", "opt_out", "dominican short", ["sms"]),
("no me mandes mas mensages porfa", "opt_out", "typo", ["sms"]),
("Les pido de favor que ya no me busquen, no voy a comprar", "opt_out,not_interested", "mexican polite", A),
("Estimados: por medio del presente solicito la baja definitiva de mis datos de su base. Sin otro particular, Lic. Ernestina Robledo", "opt_out", "older formal mexican", A),
("Stop ya porfa, no quiero nada", "opt_out,not_interested", "spanglish stop", A),
("Se me murió la batería del carro y el alternador también, ya mejor lo cambio. ¿Me lo reciben así?", "trade_in", "broken trade", None),
("Tengo una Ram 2014 que quiero dar a cambio, ya está pagada, ¿cuánto me dan?", "trade_in", "paid-off trade", None),
("¿Me toman mi carro aunque todavía lo esté pagando? Debo unos 6 mil con Santander", "trade_in,credit_finance", "payoff", None),
("Chamo, necesito carro pa' mañana que empiezo en el hospital, ¿qué hay?", "urgent_timeline", "venezuelan urgent", None),
("Nos robaron la camioneta anoche y mi esposo trabaja lejos. Necesitamos algo esta semana, tenemos 4 mil", "urgent_timeline,price_payment", "stolen", None),
("Mi hija ya sacó su licencia y se va a la universidad en 3 semanas, necesitamos algo confiable antes", "urgent_timeline,vehicle_question", "parent teen urgent", None),
("Se me vence el lease el 30 y no quiero quedarme a pie, ¿me ayudan a buscar algo rápido?", "urgent_timeline,credit_finance", "lease ending urgent", None),
("Qué pasó con la oferta de 0%? Todavía aplica? Mi crédito está en 700", "credit_finance", "promo rate", None),
("Acabo de salir de bancarrota, ¿me pueden aprobar?", "credit_finance", "bankruptcy", None),
("Pana, ¿tú me puedes conseguir financiamiento? Tengo un trabajo nuevo hace 2 meses nomás", "credit_finance", "puerto rican credit", None),
("La verdad estoy comparando con Toyota del Valle, si me igualan el precio voy mañana", "price_payment,appointment", "multi-dealer", None),
("Cuánto sería con todo, taxes y placas, out the door?", "price_payment", "spanglish OTD", None),
("Buenos días, ¿tienen la Frontier en 4x4? Vivo en el campo y el camino es de terracería", "vehicle_question", "rural", None),
("Le respondo lo que me preguntó antier: somos cinco en la familia, necesitamos tres filas", "vehicle_question", "answers earlier question", None),
("Sí gracias, el sábado a las 11 perfecto", "confirm,positive", "confirm + thanks", None),
("OK, ahí estaré. ¿Con quién pregunto?", "confirm,appointment", "confirm + logistics", None),
("Voy a llegar como a las 5 en vez de las 4, ¿está bien?", "reschedule", "late", None),
("Mañana no puedo, se me complicó, ¿el lunes?", "reschedule", "reschedule", None),
("¿Me pueden llamar después de las 6? Estoy en la obra", "human_request", "callback", None),
("Quiero que me atienda alguien en persona, no por mensajitos", "human_request", "prefers person", None),
("Muy agradecida por su paciencia, Rosa. Dios le bendiga 🙏", "positive", "gratitude religious", None),
("Me encantó la camioneta!!! Mi esposo dice que sí 🎉", "positive", "enthusiasm", None),
("Gracias, ya encontré uno con mi compadre", "bought_elsewhere,positive", "bought + thanks", None),
("En diciembre cuando me den el aguinaldo vuelvo, ahorita no", "not_now", "later mexican", None),
("Número equivocado, este es de una oficina", "wrong_number", "wrong number", None),
("Hola, buenas noches", "other", "greeting", None),
("Ya te mando la foto de la tarjeta, perdón me equivoqué de chat", "other", "accidental send", None),
("La transmisión de mi Explorer hace ruido cuando paro, ¿me la revisan el sábado?", "service", "decoy paro service", None),
("Cancelo lo del sábado porque mi mamá se enfermó, pero sigo interesada, ¿la semana que entra?", "reschedule", "decoy cancelo", None),
("Para mañana a las 3 está bien?", "appointment", "decoy para", None),
("Quita la garantía extendida y dime cuánto queda", "price_payment", "decoy quita", None),
("Nomás paso para firmar y ya, ¿a qué hora está el de finanzas?", "appointment,credit_finance", "decoy para", None),
]
