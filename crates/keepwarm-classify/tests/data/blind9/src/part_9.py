# Spanish: regional voices, emails, long multi-intent, Spanglish
ROWS = [
("Épale chamo, ¿la Explorer todavía está? Yo la pago en cash pero quiero ver bien el precio, porque aquí en Doral todo el mundo te quiere clavar", "vehicle_question price_payment", "es", "venezuelan doral", ""),
("Mira mi hermano, yo tengo un Corolla 2012 pa' dar en cambio y necesito algo más grande, que ya viene el bebé en marzo", "trade_in urgent_timeline", "es", "cuban pa trade baby", ""),
("Qué más, parce. ¿Ustedes financian con pasaporte? Llevo poco aquí y no tengo crédito todavía", "credit_finance", "es", "colombian passport credit", ""),
("Buenas, fíjese que a mí me interesa el pickup pero no tengo mucho para el enganche, como unos 1500. ¿Sí se puede?", "credit_finance", "es", "guatemalan fijese", ""),
("Vaya pues, ¿a qué hora puedo llegar el sábado? Salgo de la construcción a las 2", "appointment", "es", "honduran vaya pues", ""),
("¿Qué onda? ¿Todavía tienen la Silverado roja? Ahorita ando en Dallas pero llego a Fort Worth en la tarde", "vehicle_question appointment", "es", "mx que onda", ""),
("Oigan, ¿me dan algo por mi troca vieja? Es una Chevy 99, jala bien pero ya tiene sus años", "trade_in", "es", "mx old truck trade", ""),
("Mi amor, ¿qué le digo al señor del carro? — perdón, esto es para mi esposo. Sí, sí nos interesa, ¿a qué hora cierran?", "appointment", "es", "accidental aside + hours", ""),
("Soy la mamá de Kevin, él me dijo que ustedes le mandaron mensaje. Él trabaja, le pueden llamar a él a las 5?", "human_request", "es", "mother answering", ""),
("Hola, este es el teléfono de mi hija, ella me pidió que les contestara. Dice que sí quiere ver la Kicks el domingo", "appointment", "es", "bilingual family parent reply", ""),
("Mi hijo les escribió en inglés, yo soy el papá. ¿Me pueden explicar en español cuánto es el pago al mes?", "human_request price_payment credit_finance", "es", "dad after son english", ""),
("""Buenas tardes Sr. Morales,

Le agradezco la información. Estamos interesados en la Sienna 2023, pero quisiéramos saber:
- ¿Tiene garantía de fábrica todavía?
- ¿Cuánto nos darían por nuestra Pilot 2015 con 140 mil millas?
- ¿Aceptan financiamiento de nuestra cooperativa de crédito?

Saludos cordiales,
Ing. Ramiro Castañeda

Enviado desde mi Galaxy""", "positive vehicle_question trade_in credit_finance", "es", "formal email multi", ""),
("""Sí, ahí estaré el jueves a las 5.

El mié, 21 ene 2026 a la(s) 3:40 p.m., Andrea Solís <asolis@fronteranissan.com> escribió:
> Hola Don Beto, ¿le queda bien el jueves a las 5 para ver la Frontier?""", "confirm", "es", "escribio confirm", ""),
("""Ya no estoy en el mercado, gracias. Compré una camioneta hace dos semanas.

Atentamente,
Lucía Herrera

De: Ventas Plaza Toyota
Enviado: martes, 3 de febrero de 2026 9:15
Asunto: ¿Sigue buscando su RAV4?""", "bought_elsewhere positive", "es", "outlook spanish bought", ""),
("""Fuera de la oficina: estaré de vacaciones hasta el 15 de enero. Para asuntos urgentes, comuníquese con recepción al 555-0100.""", "other", "es", "out of office es", ""),
("Respuesta automática: Gracias por su mensaje. En este momento no puedo contestar.", "other", "es", "auto reply gracias no positive", ""),
("Mensaje de voz: \"Sí, buenas, hablo por lo del carro, el Camry. Eh... llámeme, ¿sí? Al mismo número. Bueno, bye.\"", "human_request", "es", "voicemail hesitant", ""),
("Grabación de buzón: \"Hola, le habla Yesenia. Quería preguntar si aceptan carros de cambio, tengo una Rogue que todavía estoy pagando. Llámeme.\"", "human_request trade_in credit_finance", "es", "voicemail trade owe", ""),
("Q precio tiene la Hilux? la necesito pa la finca", "price_payment", "es", "rural finca", ""),
("ke onda cuanto x la f150", "price_payment", "es", "txt-speak price", ""),
("???", "other", "es", "question marks", ""),
("Sí", "confirm", "es", "bare si", ""),
("Si claro 👍", "confirm", "es", "si claro thumbs", ""),
("Claro que sí, ahí nos vemos a las 10. ¡Gracias!", "confirm positive", "es", "confirm gracias", ""),
("¡Qué emoción! 🎉 Es la camioneta que quería mi esposa. ¿Cuándo la puedo ver?", "positive appointment", "es", "excited", ""),
("Me encanta!! 😍 ¿sigue disponible?", "positive vehicle_question", "es", "love it available", ""),
("Todavía no, a lo mejor en la primavera", "not_now", "es", "later", ""),
("Ahorita estoy corto de dinero, escríbame en un mes", "not_now", "es", "short money later", ""),
("Dejémoslo para después de las fiestas", "not_now", "es", "decoy para, after holidays", ""),
("No, gracias, ya me decidí por otra marca", "not_interested", "es", "decided other brand no purchase stated", ""),
("Ya no necesito carro, me voy a regresar a mi país", "not_interested", "es", "moving back home", ""),
("Ya compré, en la agencia de McAllen me dieron mejor trato", "bought_elsewhere", "es", "bought better deal", ""),
("Ya la compré en Carvana, no me interesa otra", "bought_elsewhere not_interested", "es", "bought + no interesa explicit", ""),
("Este número ya no es de Doña Carmen, ella falleció", "wrong_number", "es", "deceased", ""),
("Se equivocaron de persona, yo no pedí información de ningún carro", "wrong_number", "es", "wrong person", ""),
("Ese correo no es mío, creo que se equivocaron de Ana García", "wrong_number", "es", "wrong email", ""),
("Necesito algo para mañana, me quedé sin carro y trabajo en la construcción en Katy. Tengo 3 mil de entrada y crédito regular", "urgent_timeline credit_finance", "es", "contractor urgent", ""),
("Ya no aguanto la camioneta, se descompuso otra vez en la carretera. ¿Me la toman a cuenta así descompuesta? Necesito otra esta semana", "trade_in urgent_timeline", "es", "breakdown trade urgent", ""),
("Soy enfermera, salgo a las 7 de la mañana. ¿Puedo ir a las 8 y que me atiendan rápido? Necesito el carro antes del viernes", "appointment urgent_timeline", "es", "nurse urgent appt", ""),
("Me robaron el carro anoche. El seguro me da 8 mil. Necesito algo ya para llevar a los niños a la escuela", "urgent_timeline price_payment", "es", "stolen urgent", ""),
("Se me vence el lease de la CR-V el 28. ¿Me pueden ayudar a salir y meterme a algo nuevo?", "credit_finance trade_in urgent_timeline", "es", "lease end date", ""),
("Tengo una Equinox en lease y quiero cambiarla por una troca. ¿Se puede?", "trade_in credit_finance", "es", "lease trade", ""),
("Cuánto me dan por mi Mazda 3 del 2018? Y si la doy, cuánto pagaría al mes por la CX-5?", "trade_in price_payment credit_finance", "es", "trade + monthly", ""),
("Mi tasa con el banco es 9%, ¿ustedes la pueden mejorar?", "credit_finance", "es", "rate", ""),
("¿Aceptan pagos cada quince días?", "credit_finance", "es", "biweekly payments", ""),
("Tengo bancarrota de hace 3 años, ¿igual me aprueban?", "credit_finance", "es", "bankruptcy", ""),
("Mi cuñado me puede firmar de co-signer, él sí tiene buen crédito", "credit_finance", "es", "spanglish cosigner", ""),
("I'll bring mi trade el sábado, una Camry 2015. ¿Cuánto más o menos me darían?", "trade_in appointment", "es", "spanglish trade sat", ""),
("Bro necesito un carro ASAP, mi mom me presta el down payment. Can I come today?", "urgent_timeline credit_finance appointment", "es", "spanglish urgent", ""),
("Ok gracias, lemme check con mi esposo y te aviso", "positive not_now", "es", "spanglish check spouse", ""),
("No thanks, ya tengo carro", "not_interested", "es", "spanglish no thanks", ""),
("Dile a Carlos que me llame porfa, él sabe del deal", "human_request", "es", "spanglish named rep", ""),
("cuál es el out the door price? con taxes y todo", "price_payment", "es", "spanglish otd", ""),
("Perdón, no puedo el sábado, tengo que trabajar. ¿Puede ser el domingo?", "reschedule", "es", "reschedule domingo", ""),
("Llego como a las 5:30 en vez de las 5, salgo tarde del jale", "reschedule", "es", "mx jale late", ""),
("Cancelo la del martes pero quiero otra cita para el viernes", "reschedule", "es", "decoy cancelo appt", ""),
("¿Todavía tienen el Accord? Ya paré en tres agencias y ninguna tiene lo que busco", "vehicle_question", "es", "decoy paré shopping", ""),
("Para el precio que piden, ¿qué tal está de llantas y frenos?", "vehicle_question", "es", "decoy para price", ""),
("Paren todo, ¡encontré el dinero del enganche! 😂 ¿Cuándo firmamos?", "credit_finance appointment positive", "es", "decoy paren todo excited", ""),
("¿Ustedes le pueden quitar el polarizado? En mi estado no lo permiten", "vehicle_question", "es", "remove tint", ""),
("Mi carro no para de calentarse, se me sube la temperatura en el freeway", "service", "es", "decoy no para overheating", ""),
("¿Para qué día me la pueden tener lista? La ocupo para un viaje a Monterrey el 20", "urgent_timeline", "es", "decoy para, trip date", ""),
("Quiero pasar a verla, ¿estacionamiento hay o me paro en la calle?", "appointment", "es", "decoy me paro parking", ""),
("Hola buenas, ¿hablan español?", "human_request", "es", "habla espanol", ""),
("Primo, ¿y esa guagua es automática? Aquí en Puerto Rico casi todas son estándar", "vehicle_question", "es", "pr guagua", ""),
("¿La camioneta tiene tercera fila? Somos 7 en la familia", "vehicle_question", "es", "third row", ""),
("¿Cuánto gasta de gasolina? Manejo 80 millas diarias", "vehicle_question", "es", "mpg commute", ""),
("¿Me mandan el Carfax por WhatsApp?", "vehicle_question", "es", "whatsapp carfax", ""),
("Ah no, es que eso está muy caro. ¿No tienen algo más barato?", "price_payment", "es", "too expensive", ""),
("Gracias mija, Dios me la bendiga. El lunes le marco", "positive not_now", "es", "abuela gracias", ""),
("Qué pena con usted, se me olvidó la cita. ¿Podemos reagendar?", "reschedule", "es", "colombian que pena", ""),
("Estoy en el trabajo, no puedo hablar ahorita", "other", "es", "busy", ""),
("Buenas noches, disculpe la hora", "other", "es", "greeting", ""),
]
