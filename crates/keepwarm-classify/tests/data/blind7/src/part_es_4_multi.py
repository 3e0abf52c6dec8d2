LANG = "es"
ROWS = [
("Sí el sábado, ¿puedo llevar mi troca para el trade? Y ¿financian sin crédito?", "confirm trade_in credit_finance", "triple intent", ""),
("¿Todavía la tienen? Y ¿cuánto de enganche? Me chocaron el carro y lo necesito ya", "vehicle_question price_payment urgent_timeline", "availability + down + urgent", ""),
("Gracias Sam! Llego como 15 minutos tarde", "positive reschedule", "gracias + late", ""),
("Llámeme por favor, quiero saber cuánto me dan por mi Camry y si me pueden financiar el resto", "human_request trade_in credit_finance", "call + trade + finance", ""),
("Entre semana, después de las 6. ¿Hasta qué hora abren? Voy con mi esposa", "appointment", "answer + hours", ""),
("No hay prisa, tal vez en marzo. Pero ¿cuánto me darían por mi Altima?", "not_now trade_in", "later + trade", ""),
("¿Cuánto sale la Tacoma? Y ¿tiene 4x4? Vivo en el campo", "price_payment vehicle_question", "price + feature rural", ""),
("Mi lease se acaba el 30 y no tengo nada todavía. ¿Me ayudan con algo parecido?", "credit_finance urgent_timeline", "lease end urgent", ""),
("Qué chévere! 🔥 ¿La puedo ir a probar mañana?", "positive appointment", "Venezuelan chévere enthusiasm", ""),
("Compré la Rogue con ustedes el año pasado, necesito servicio y también quiero ver si me la cambian por una más grande", "service trade_in", "service + trade", ""),
("Ya tengo la pre-aprobación de mi credit union. ¿Me aparta la blanca para el sábado?", "credit_finance vehicle_question appointment", "preapproval + hold + day", ""),
("En la otra agencia me dan 28 mil por todo. ¿Me la mejoran? Llevo mi trade el domingo", "price_payment trade_in appointment", "multi-dealer + trade + day", ""),
("¿Habla español alguien? Mi papá quiere ir a verla y él no habla inglés", "human_request appointment", "Spanish speaker + visit", ""),
("Mi hija tiene 18 y es su primer carro, yo le firmo. ¿Qué necesitamos llevar?", "credit_finance", "parent cosigner", ""),
]
