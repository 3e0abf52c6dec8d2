# Hand-written Spanish e-mails, voicemails, long and multi-intent replies.
A = "call email sms".split()
ROWS = [
    ("""Por favor ya no me envíen correos.

El mar, 4 mar 2025 a las 9:12, Lakeside Motors (<sales@lakesidemotors.example>) escribió:
> Hola Daniela, la RAV4 que preguntó sigue disponible...

Enviado desde mi iPhone""", ["opt_out"], "es", "gmail escribio correos", ["email"]),
    ("""Buenas tardes Sam,

Le comento que ya adquirimos una camioneta en otra agencia, así que ya no la necesitamos. Le agradezco mucho su atención.

Saludos cordiales,
Lic. Fernanda Ibarra Solís
Ibarra & Asociados

El lun, 10 feb 2025 a las 11:40, Sam Reyes escribió:
> ¿Sigue interesada en la Highlander?""", ["bought_elsewhere", "positive"], "es", "formal MX email agradezco", None),
    ("""Respuesta automática: Me encuentro fuera de la oficina hasta el 20 de enero. Para asuntos urgentes comunicarse con Roberto Salinas al 555-0155.""", ["other"], "es", "auto-reply es", None),
    ("[Mensaje de voz] Hola, habla Guadalupe Torres, le llamo por la camioneta Sienna, quería saber si me pueden ayudar con el financiamiento porque no tengo mucho crédito. Por favor regrésame la llamada. Gracias.", ["human_request", "credit_finance", "positive"], "es", "voicemail credit", None),
    ("Transcripción de buzón de voz: Buenas, soy Efraín, ya no me estén llamando por favor, yo ya compré mi troca. Adiós.", ["opt_out", "bought_elsewhere"], "es", "voicemail opt out call bought", ["call"]),
    ("""Hola buenas noches, le escribo porque tengo varias preguntas:
- ¿La Tahoe 2021 tiene algún accidente?
- Tengo una Explorer 2016 que quiero dar a cuenta, todavía debo como 5 mil
- Mi crédito está en 610
- Necesito la camioneta antes del 15 porque nos mudamos a Phoenix

¿Me puede llamar mañana después de las 5? Gracias

Enviado desde mi Samsung Galaxy""", ["vehicle_question", "trade_in", "credit_finance", "urgent_timeline", "human_request", "positive"], "es", "long multi email", None),
    ("""Sí, el sábado a las 11 está perfecto. ¿Me puede mandar la ubicación?

El jue., 3 abr. 2025 14:11, Sam at Lakeside Motors <sreyes@lakesidemotors.example> escribió:
> ¿Le queda bien el sábado a las 11?""", ["confirm", "appointment"], "es", "gmail confirm + location", None),
    ("""Este correo no pertenece a Jorge Medina. Favor de eliminarlo de su base de datos.

Atentamente,
Contabilidad - Grupo Ferretero del Norte""", ["opt_out", "wrong_number"], "es", "wrong email eliminar", ["email"]),
    ("[Mensaje de voz] Sí, buenas, hablo de parte de mi mamá, la señora Carmen, ella no habla inglés. Quiere ver el Corolla pero necesita a alguien que hable español. Llámenos al 555-0124.", ["human_request", "appointment"], "es", "voicemail spanish speaker for mom", None),
    ("""Sam, una disculpa, no voy a poder llegar hoy. Se me ponchó una llanta. ¿Puede ser el lunes a la misma hora?

Saludos
Octavio""", ["reschedule"], "es", "email reschedule poncho llanta", None),
    ("Voz: hola eh... llamo por el carro... no sé quién me llamó a este número, ¿quién es? Bueno bye", ["other"], "es", "voicemail who", None),
    ("""Buen día. Somos una empresa de mensajería en Miami y necesitamos 5 vans de carga para el próximo mes. ¿Manejan precios de flotilla? ¿Hacen leasing comercial?

Carlos Mejía
Gerente de Operaciones
Rápido Express Courier LLC""", ["vehicle_question", "price_payment", "credit_finance", "urgent_timeline"], "es", "fleet courier email", None),
    ("""No me interesa y les pido que ya no me llamen ni me manden mensajes. Es la tercera vez que lo pido.

Enviado desde mi iPhone""", ["opt_out", "not_interested"], "es", "email call+sms revoke", ["call", "sms"]),
    ("Respuesta automática: Gracias por su mensaje. Estoy de vacaciones y regreso el 2 de septiembre.", ["other"], "es", "vacation auto-reply no positive", None),
    ("""Hola! Ya nació el bebé 🎉 así que ahora sí necesitamos la minivan urgente jaja. Mi esposo quiere dar la Civic a cuenta, todavía la estamos pagando. ¿Podemos ir el domingo?""", ["positive", "urgent_timeline", "trade_in", "credit_finance", "appointment"], "es", "baby arrived multi", None),
    ("[Buzón de voz] Buenas tardes, le habla Rigoberto, soy de Guatemala, estoy buscando un pickup barato para trabajar, tengo como 6 mil en efectivo. Me puede llamar, gracias.", ["human_request", "price_payment", "vehicle_question", "positive"], "es", "voicemail Guatemalan cash", None),
    ("""Le escribo para informarle que mi padre, el Sr. Aurelio Paz, falleció el mes pasado. Favor de actualizar sus registros.

Atte. Marisol Paz""", ["wrong_number"], "es", "deceased update records no revocation", None),
    ("Hola, me llamo Yesenia, mi carro quedó pérdida total en el huracán y necesito algo lo más pronto posible. Tengo el cheque del seguro por 11 mil. ¿Qué me recomienda?", ["urgent_timeline", "price_payment"], "es", "hurricane total loss PR", None),
    ("Buenas, el precio que me mandó está más alto que el de la página. ¿Cuál es el correcto? Y también quiero saber cuánto me dan por mi Jeep 2018", ["price_payment", "trade_in"], "es", "price discrepancy + trade", None),
    ("Tengo un lease con Nissan que se vence en marzo, ¿me pueden ayudar a salir antes y sacar algo con ustedes?", ["credit_finance"], "es", "lease exit", None),
    ("¿Aceptan cosigner? Mi hermano tiene buen crédito", ["credit_finance"], "es", "spanglish cosigner", None),
    ("Soy de Puerto Rico, recién mudado a Orlando, no tengo historial de crédito aquí en los states. ¿Es posible?", ["credit_finance"], "es", "PR relocation credit", None),
    ("Mi hijo de 18 quiere su primer carro y yo le voy a firmar. ¿Qué necesitamos llevar?", ["credit_finance"], "es", "parent cosign documents", None),
    ("Cuánto me darían por una Ram 2019 con 80 mil millas, y si la dejo a cuenta de la Tundra cuánto quedaría mensual", ["trade_in", "price_payment"], "es", "trade + monthly", None),
    ("Necesito la van para el lunes que empiezo con mi negocio de limpieza. ¿Se puede sacar con número de EIN?", ["urgent_timeline", "credit_finance"], "es", "EIN business urgent", None),
    ("Me urge, mi carro se quemó anoche. Tengo mal crédito y solo 1500 de enganche. ¿Hay algo?", ["urgent_timeline", "credit_finance"], "es", "car fire urgent", None),
    ("La semana pasada vine y me atendió Luis, ¿él sigue ahí? Quiero seguir con él", ["human_request"], "es", "named rep", None),
    ("¿Cuánto tiempo tarda la aprobación? Me voy de viaje el jueves y quiero dejarlo listo", ["credit_finance", "urgent_timeline"], "es", "approval before trip", None),
    ("Hola!! Gracias por la info. Una pregunta, ¿tienen la misma pero en 4x4? Vivo en el rancho y los caminos son de terracería", ["positive", "vehicle_question"], "es", "rural 4x4", None),
    ("Qué onda, me llegó un mensaje de ustedes pero no sé qué carro pregunté jaja", ["other"], "es", "confused lead", None),
    ("Oiga, ¿y si le doy mi moto a cuenta? Es una Harley 2017", ["trade_in"], "es", "motorcycle trade", None),
    ("Mi mamá me pidió que le escribiera. Ella quiere la Rogue pero su crédito está feo y todavía debe su Altima. ¿Hay chance?", ["credit_finance", "trade_in"], "es", "child writing for mom", None),
    ("Estoy comparando con Toyota de Pharr y me dan 2 mil más por mi troca. ¿Igualan?", ["trade_in"], "es", "RGV trade compare", None),
    ("Buenos días, quería saber si dan el carro con pasaporte mexicano y matrícula consular", ["credit_finance"], "es", "consular ID financing", None),
    ("Hoy no pude ir, mañana sin falta. Disculpe", ["reschedule"], "es", "missed today", None),
    ("Se me hace tarde, ¿me espera 15 minutos? Ya voy en la 35", ["reschedule"], "es", "late I-35", None),
]
