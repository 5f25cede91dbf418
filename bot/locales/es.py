"""Spanish texts (español)."""

from collections.abc import Mapping

ES: Mapping[str, str] = {
    # grammar and input
    "unknown_ratio": "“{value}” no es una relación de aspecto que este modelo conozca. "
                     "Usa una de estas: {valid}.",
    "unknown_size": "“{value}” no es un tamaño de imagen que este modelo conozca. "
                    "Usa uno de estos: {valid}.",
    "size_not_supported": "Este modelo no admite tamaño de imagen, así que no puedo usar "
                          "“{value}”.",
    "two_ratios": "Indica como mucho una relación de aspecto. Válidas: {valid}.",
    "two_sizes": "Indica como mucho un tamaño de imagen. Válidos: {valid}.",
    "no_prompt": "Escribe qué hacer después del comando, por ejemplo: /{kind} 9:16 añade una "
                 "llama",
    "prompt_too_long": "Esa indicación es demasiado larga: {limit} caracteres como máximo.",
    "no_image": "Adjunta una foto para editar: envíala con /edit en el pie de foto, o responde "
                "a una foto (o a un archivo de imagen, un álbum o uno de mis resultados) con "
                "/edit y tu indicación.",
    "too_many_images": "Este modelo acepta como mucho {limit} imágenes; enviaste {count}.",
    "image_too_large": "Esa imagen es demasiado grande ({size_mb} MB); el límite es "
                       "{limit_mb} MB.",
    "not_an_image": "Ese archivo no es una imagen que pueda leer. Envía un JPEG, PNG, WebP o "
                    "GIF.",
    "unreadable_image": "Esa imagen parece dañada: no pude leerla.",
    "fetch_failed": "No pude obtener esa imagen. Envíala de nuevo; no se cobró nada.",
    "image_expired": "Esa imagen ya no está disponible en Discord (sus enlaces caducan al "
                     "día). Envíala de nuevo con /edit; no se cobró nada.",
    "references_too_large": "Tus imágenes juntas son demasiado grandes para el modelo "
                            "({size_mb} MB aun reducidas; el límite es {limit_mb} MB). Envía "
                            "menos imágenes o más pequeñas; no se cobró nada.",
    "album_privacy": "En este grupo solo veo la foto que lleva el comando, no el resto del "
                     "álbum (modo de privacidad de los bots de Telegram). Para editar varias "
                     "fotos juntas, envíame el álbum en un chat privado o pide a un "
                     "administrador que me haga administrador aquí. No se cobró nada.",
    "too_many_pixels": "Esa imagen tiene demasiados píxeles; el límite es {limit_mp} "
                       "megapíxeles.",
    "cannot_fit_output": "El resultado era demasiado grande para enviarlo aquí.",
    "bad_output_ratio": "La forma del resultado no permite enviarlo aquí.",
    # quota
    "quota_exceeded": "Ya usaste tus {limit} créditos de hoy. Habrá más a las {resets_at}.",
    "scope_budget_exceeded": "Este grupo ya usó sus {limit} créditos de hoy. "
                             "Habrá más a las {resets_at}.",
    # the model said no
    "refused": "El modelo rechazó esta petición ({reason_text}). No se cobró nada.",
    "reason_safety": "a sus filtros les pareció insegura; prueba a redactarla de otra forma",
    "reason_no_image": "respondió sin imagen; prueba a redactar la indicación de otra forma",
    "reason_other": "motivo: {reason}",
    # upstream
    "upstream_busy": "El servicio de imágenes está ocupado ahora mismo. Inténtalo de nuevo en "
                     "un minuto; no se cobró nada.",
    "upstream_unavailable": "El servicio de imágenes no responde ahora mismo. Inténtalo más "
                            "tarde; no se cobró nada.",
    "upstream_unreachable": "No pude conectar con el servicio de imágenes. Inténtalo más "
                            "tarde; no se cobró nada.",
    "upstream_timeout": "El servicio de imágenes tardó demasiado. Inténtalo de nuevo; no se "
                        "cobró nada.",
    "upstream_daily_quota": "El bot agotó su cupo de imágenes de hoy. Inténtalo mañana; no se "
                            "cobró nada.",
    "upstream_malformed": "El servicio de imágenes devolvió algo inservible. Inténtalo de "
                          "nuevo; no se cobró nada.",
    "upstream_auth": "El bot no está bien configurado (su clave fue rechazada). Ya se avisó a "
                     "un operador; no se cobró nada.",
    "upstream_billing": "La cuenta de imágenes del bot necesita atención. No se cobró nada.",
    "upstream_model": "El modelo de imágenes del bot no está disponible. No se cobró nada.",
    "upstream_bad_request": "El servicio de imágenes no pudo aceptar esta petición (quizá la "
                            "imagen es demasiado grande o inusual). No se cobró nada.",
    "upstream_failed": "El servicio de imágenes falló. Inténtalo más tarde; no se cobró nada.",
    "delivery_failed": "Hice la imagen pero no pude enviarla aquí. No se cobró nada.",
    "daily_ceiling_exceeded": "Ya usaste tus {limit} créditos de hoy en todos los chats. Habrá "
                              "más a las {resets_at}.",
    "ledger_unavailable": "Algo salió mal de mi lado. No se cobró nada; inténtalo de nuevo en "
                          "un momento.",
    "ledger_not_empty": "La base de datos de destino ya tiene un registro de créditos.",
    "error": "Algo salió mal. No se cobró nada.",
    "config": "El bot no está bien configurado. No se cobró nada.",
    # progress and results
    "queued": "En cola: n.º {position}…",
    "working": "Trabajando en ello…",
    "delivering": "Enviando…",
    "credits_left": "Créditos restantes hoy: {left}",
    "credits_unlimited": "créditos ilimitados",
    "demo_model_note": "Modelo de demostración: define GEMINI_API_KEY para ediciones reales.",
    "demo_beside_note": (
        "Modelo de demostración: el chat local junto a un bot en marcha no hace ediciones reales."),
    "ratio_note": "Nota: la imagen volvió con una forma distinta de la pedida.",
    "resumed": "Aquí está la edición que pediste antes de que me reiniciara.",
    "interrupted_delivery": "Me reinicié mientras enviaba tu edición. Si no te llegó, envíala "
                            "de nuevo; no se cobró nada.",
    "abandoned": "Me reinicié antes de terminar tu edición y no pude retomarla. No se cobró "
                 "nada; envíala de nuevo.",
    # commands, help and moderation
    "start": "¡Hola, {name}! Edito fotos con Gemini: envíame una foto con lo que quieres "
             "cambiar, p. ej. 9:16 añade una llama (en un grupo: /edit 9:16 añade una llama). "
             "Más en /help.",
    "help": "Envía una foto con lo que quieres cambiar como pie de foto (en un grupo: /edit "
            "[PROPORCIÓN] [TAMAÑO] INDICACIÓN); responde a mi resultado para seguir editándolo "
            "(/edit new ... empieza de cero).\n"
            "/imagine [PROPORCIÓN] [TAMAÑO] INDICACIÓN: una imagen nueva. PROPORCIÓN: "
            "{ratios}. TAMAÑO: {sizes}.\n"
            "Hasta {max_images} imágenes por edición; {cost} cada una, 4K {cost_4k}.\n"
            "Ejemplo: 9:16 2K conviértela en acuarela\n"
            "/quota: tus créditos de hoy.",
    "help_moderators": "Moderadores: /setlimit N (respondiendo a un miembro), /setlimit reset "
                       "(respondiendo), /setlimit all N (créditos diarios de todos), "
                       "/setlimit total N (presupuesto diario del grupo; /setlimit total reset "
                       "lo quita), /usage.",
    "quota_status": "Te quedan {left} aquí, {day_left} hoy en total. Usados aquí hoy: {used}. "
                    "Nuevos créditos a las {resets_at}.",
    "quota_reserved": "Reservados para ediciones en curso: {reserved}.",
    "quota_unlimited": "Tienes créditos ilimitados. Usados hoy: {used}.",
    "quota_budget": "Este grupo: {total} de {budget} créditos usados hoy.",
    "not_moderator": "Solo los administradores de este grupo pueden hacer eso.",
    "groups_only": "Eso solo funciona en grupos.",
    "setlimit_usage": "Cómo se usa: responde a un miembro con /setlimit N o /setlimit reset; "
                      "/setlimit all N para todos; /setlimit total N para el presupuesto "
                      "diario del grupo (/setlimit total reset lo quita). N es un número "
                      "entero; 0 bloquea.",
    "limit_member_set": "{name} ahora puede usar {value} créditos al día aquí.",
    "limit_member_reset": "{name} vuelve al límite predeterminado de este grupo.",
    "limit_default_set": "Ahora todos aquí pueden usar {value} créditos al día.",
    "limit_default_reset": "De vuelta al valor predeterminado del bot: {value} créditos al "
                           "día.",
    "limit_total_set": "Ahora este grupo puede usar {value} créditos al día en total.",
    "limit_total_reset": "Este grupo ya no tiene presupuesto diario.",
    "limits_show": "Límites aquí: {default} créditos al día por persona; presupuesto del "
                   "grupo: {total}; miembros con límite propio: {members}.",
    "none": "ninguno",
    "usage_header": "Créditos usados hoy ({day}):",
    "usage_total": "Total: {total}",
    "usage_total_budget": "Total: {total} de {budget}",
    "usage_more": "… y {count} más",
    "usage_empty": "Nadie ha usado créditos aquí hoy.",
    "button_again": "🔁 Otra vez ({cost})",
    "button_4k": "4K ({cost})",
    "not_your_button": "Solo quien pidió esta edición puede usar estos botones.",
    "button_started": "¡En marcha!",
    "job_gone": "Ya no puedo repetir esa edición; envíala de nuevo.",
    "full_resolution": "Resolución completa: {width}×{height}",
    "cmd_edit": "Editar una foto: [proporción] [tamaño] indicación",
    "cmd_imagine": "Crear una imagen: [proporción] [tamaño] indicación",
    "cmd_quota": "Tus créditos de hoy",
    "cmd_help": "Cómo usar el bot",
    "cmd_setlimit": "Fijar límites diarios (moderadores)",
    "cmd_usage": "Uso de hoy (moderadores)",
    "duplicate": "Ya estoy trabajando en esa.",
    "no_image_discord": "Adjunta una imagen: usa /edit con la opción de imagen, o haz clic "
                        "derecho en un mensaje con imágenes -> Apps -> Edit image, o "
                        "menciónanme en un mensaje con imágenes (o en una respuesta a uno).",
    "modal_title": "Editar imagen",
    "modal_prompt": "¿Qué hay que cambiar?",
    "modal_ratio": "Proporción (opcional)",
    "modal_size": "Tamaño (opcional)",
    "cmd_limit": "Límites diarios de créditos aquí (moderadores)",
    "late_result": "{mention} aquí está tu edición (tardó más de lo que Discord espera).",
    "button_variations": "🎲 Variaciones ({cost})",
    "credits_one": "{n} crédito",
    "credits_few": "{n} créditos",
    "credits_many": "{n} créditos",
    "ask_prompt": "¿Qué debo cambiar?",
    "ask_placeholder": "p. ej. añade una llama",
    # inline mode and /history
    "inline_title": "Editar: {prompt}",
    "inline_result": "{credits} · tu resultado: {prompt}",
    "inline_sent": "{credits} · una foto que enviaste",
    "inline_type": "Escribe qué cambiar, p. ej. 9:16 ponle un sombrero",
    "inline_bad": "No entendí esa petición: toca para ver la ayuda",
    "inline_none": "No hay imágenes recientes: envíame una foto primero",
    "inline_working": "Editando: {prompt}…",
    "inline_button": "Editar una foto conmigo",
    "inline_start_first": "Aún no puedo enviarte el resultado en privado: abre un chat conmigo, "
                          "pulsa Iniciar y vuelve a elegir. No se cobró nada.",
    "history_title": "Tus últimos resultados, del más reciente al más antiguo:",
    "history_empty": "Aún no hay resultados: envíame una foto con lo que quieres cambiar.",
    "button_edit_again": "Editar de nuevo #{n}",
    "cmd_history": "Tus últimos resultados",
    "offer_generate": "¿Creo una imagen nueva a partir de eso? (Para editar una foto, envía "
                      "la foto con lo que quieres cambiar.)",
    "button_generate": "Generar - {credits}",
    "unknown_command": "No conozco /{name}. Envía una foto con lo que quieres cambiar, o mira "
                       "/help.",
    "did_you_mean": "¿Querías decir {value}? (Leí “{token}”.) Aún no se cobró nada.",
    "button_yes": "✅ {value} - {credits}",
    "button_as_typed": "Tal cual - {credits}",
    "offer_gone": "Esa pregunta caducó; envía tu petición de nuevo.",
    "images_trimmed": "Este modelo acepta como mucho {limit} imágenes: uso las primeras {limit} "
                      "de las {count} que enviaste.",
    "one_at_a_time": "De una en una, por favor: tus peticiones anteriores siguen en marcha. "
                     "No se cobró nada por esta.",
    "bad_limit": "Un límite es un número entero de créditos de 0 (bloquea) a {limit}, o reset.",
    "limit_usage_discord": "Cómo se usa: /limit member @alguien N (o reset), /limit default N "
                           "para todos, /limit total N para el presupuesto diario del servidor "
                           "(o reset), /limit show. N es un número entero; 0 bloquea.",
    "upstream_retry_too_late": "El servicio de imágenes está saturado y pide esperar más de lo "
                               "que puedo. Inténtalo más tarde; no se cobró nada.",
    # operaciones: el presupuesto diario y /stats (operadores)
    "budget_reached": "El bot alcanzó su presupuesto de hoy; se renueva a las {resets_at}. "
                      "No se cobró nada.",
    "budget_alert_80": "editbot: el gasto estimado de hoy es ${spent}, el {percent}% del "
                       "presupuesto diario de ${budget}.",
    "budget_alert_100": "editbot: el gasto estimado de hoy es ${spent}, el {percent}% del "
                        "presupuesto diario de ${budget}. Las ediciones nuevas se rechazan hasta "
                        "las {resets_at}.",
    "monthly_budget_reached": "El bot alcanzó su presupuesto de este mes; se renueva el "
                              "{resets_on} a las {resets_at}. No se cobró nada.",
    "monthly_budget_alert_80": "editbot: el gasto estimado de este mes es ${spent}, el "
                               "{percent}% del presupuesto mensual de ${budget}.",
    "monthly_budget_alert_100": "editbot: el gasto estimado de este mes es ${spent}, el "
                                "{percent}% del presupuesto mensual de ${budget}. Las ediciones "
                                "nuevas se rechazan hasta el {resets_on} {resets_at}.",
    "not_operator": "Solo los operadores del bot pueden hacer eso.",
    "cmd_stats": "Uso, gasto y fallos (operadores)",
    "stats_header": "Estadísticas de {model}",
    "stats_today": "Hoy ({day})",
    "stats_week": "Últimos 7 días ({first} a {last})",
    "stats_outcomes": "Ediciones: {delivered} entregadas, {refused} rechazadas, {failed} "
                      "fallidas, {running} en curso",
    "stats_spend": "Gasto estimado: ${spend}",
    "stats_spend_budget": "Gasto estimado: ${spend} de ${budget} al día",
    "stats_month": "Este mes: gasto estimado ${spend}",
    "stats_month_budget": "Este mes: gasto estimado ${spend} de ${budget}",
    "stats_quality": "Tasa de fallos: {failure_rate}; tiempo hasta el resultado: p50 {p50}, "
                     "p95 {p95}",
    "stats_top": "Grupos y servidores con más gasto: {top}",
    # credits people buy (only with payments on)
    "cmd_buy": "Comprar créditos que no se reinician cada día",
    "cmd_paysupport": "Ayuda con un pago",
    "cmd_terms": "Condiciones de venta",
    "pay_private": "Envíame /buy en un chat privado para comprar créditos.",
    "pay_packs": "Los créditos que compras no se reinician cada día: primero se usan los "
                 "gratuitos. Elige un paquete:",
    "pay_title": "{credits} créditos",
    "pay_description": "{credits} créditos de edición por {stars} Telegram Stars. No se "
                       "reinician cada día.",
    "pay_off": "Los pagos están desactivados por ahora. No se ha cobrado nada.",
    "pay_gone": "Este paquete ya no está a la venta. No se ha cobrado nada: envía /buy "
                "para ver los actuales.",
    "pay_thanks": "¡Gracias! Se añadieron {credits} créditos. Tienes {balance} créditos comprados.",
    "pay_refunded": "Tu pago fue reembolsado y se retiraron sus {credits} créditos sin usar.",
    "pay_pack": "{credits} créditos por {stars} Stars",
    "refund_usage": "Envía /refund CHARGE_ID (el id del pago en su recibo).",
    "refund_unknown": "Ningún pago tiene ese id.",
    "refund_done": "Reembolsado. Se retiraron {credits} créditos sin usar.",
    "refund_failed": "Telegram rechazó el reembolso: {reason}",
    "paysupport": "Para ayuda con un pago, escribe a quienes gestionan este bot.",
    "terms": "Los créditos son para ediciones con este bot y no se reinician cada "
             "día. Los créditos sin usar se pueden reembolsar: consulta /paysupport.",
    "quota_balance": "Créditos comprados: {balance} (no se reinician cada día).",
    "quota_buy": "Compra más en un chat privado conmigo: /buy ({packs}).",
    "quota_buy_discord": "O compra créditos con un botón de abajo; no se reinician cada día.",
    "help_buy": "¿Sin créditos? /buy más en un chat privado (no se reinician cada día). "
                "/terms, /paysupport.",
    "stats_sales": "Ventas: {stars} Stars por {credits} créditos ({purchases} compras), "
                   "{refunds} reembolsos; ingresos estimados ${revenue}",
    "stats_sent_privately": "Te envié las cifras en nuestro chat privado.",
    "stats_start_privately": "Aún no puedo escribirte en privado: abre un chat privado con "
                             "@{bot}, pulsa Iniciar y vuelve a enviar /stats.",
    "stats_not_sent": "No se pudieron enviar las cifras en privado; inténtalo de nuevo en un "
                      "momento.",
    # a queued job: its likely wait, and calling it off
    "queued_wait": "En cola: n.º {position}, unos {wait}…",
    "wait_s": "{n} s",
    "wait_min": "{n} min",
    "cancel_button": "Cancelar",
    "cancelled": "Cancelado antes de pedírselo al modelo: se te devuelven {credits}, sin cargo.",
    "cancel_too_late": "Demasiado tarde: ya está con el modelo, y se cobra.",
    "cancel_not_yours": "Solo quien lo pidió, o un moderador de aquí, puede cancelarlo.",
    "cancel_not_yet": "Un momento: la solicitud aún está llegando. Inténtalo de nuevo enseguida.",
    "cancel_ended": "Esta solicitud ya terminó.",
    "cancel_unavailable": "Ahora no se puede cancelar. Inténtalo de nuevo en un momento.",
}
