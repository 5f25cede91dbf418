"""Spanish texts of community settings."""

from collections.abc import Mapping

ES: Mapping[str, str] = {
    "imagine_off": "Los moderadores de este grupo desactivaron /imagine. No se cobró nada.",
    "size_off": "Los moderadores de aquí no permiten imágenes {value}. Tamaños permitidos: "
                "{valid}. No se cobró nada.",
    "word_blocked": "Esa instrucción tiene una palabra que los moderadores de este grupo "
                    "bloquearon. No se cobró nada.",
    "slow_mode": "El modo lento está activo aquí: espera {seconds} s antes de tu próxima "
                 "solicitud. No se cobró nada.",
    "size_last": "Al menos un tamaño tiene que seguir permitido.",
    "slow_bad": "El modo lento es un número entero de segundos, de 0 (apagado) a {limit}.",
    "words_bad": "Escribe palabras o frases separadas por comas, de {limit} caracteres como "
                 "máximo cada una.",
    "words_too_many": "Un grupo puede bloquear {limit} palabras como máximo.",
    "words_now": "Guardado. Palabras bloqueadas aquí: {total}.",
    "slow_now": "Guardado. Modo lento: {value}.",
    "log_now": "Guardado. Cada edición hecha aquí se anota ahora en {channel}.",
    "log_stopped": "Guardado. El registro está apagado.",
    "log_cannot_post": "No puedo publicar en {channel}, así que nada cambió. Agrégame allí "
                       "(en un canal, como administrador que puede publicar) y vuelve a "
                       "intentarlo.",
    "log_hello": "Desde ahora, las ediciones hechas en {group} se anotan aquí.",
    "settings_saved": "Guardado.",
    "settings_panel": "Ajustes de este grupo (los moderadores tocan para cambiar)\n"
                      "Tamaños permitidos: {sizes}\n/imagine: {imagine}\nSeguridad: {safety}\n"
                      "Palabras bloqueadas: {words}\nResultados como spoiler: {spoiler}\n"
                      "Modo lento: {slow}\nRegistro: {log}",
    "settings_usage_telegram": "Palabras bloqueadas: /settings block palabra1, palabra2 y "
                               "/settings unblock palabra1. Modo lento: /settings slow N "
                               "(segundos). Registro: /settings log seguido del id o @nombre "
                               "del chat, o en respuesta a una publicación reenviada desde él "
                               "(debo poder publicar allí), /settings log off para "
                               "detenerlo.",
    "settings_usage_discord": "Palabras bloqueadas: /settings con block: palabra1, palabra2 o "
                              "unblock: palabra1. Elige abajo el canal del registro.",
    "help_settings": "/settings: tamaños, /imagine, nivel de seguridad, palabras bloqueadas, "
                     "spoilers, modo lento y registro de este grupo.",
    "state_on": "activado",
    "state_off": "desactivado",
    "safety_strict": "estricto",
    "safety_standard": "estándar",
    "safety_relaxed": "relajado",
    "seconds": "{seconds} s",
    "log_none": "ninguno",
    "button_size": "{size}: {state}",
    "button_imagine": "/imagine: {state}",
    "button_safety": "Seguridad: {level}",
    "button_spoiler": "Spoilers: {state}",
    "button_slow": "Modo lento: {value}",
    "button_log_off": "Detener el registro",
    "pick_log": "Canal del registro",
    "log_note": "{who}: /{kind} {prompt}\n{outcome} · {cost}",
    "log_delivered": "entregado",
    "log_refused": "rechazado por el modelo",
    "log_failed": "falló",
    "log_other": "no se hizo",
    "cmd_settings": "Ajustes del grupo (moderadores)",
    "unknown_safety": "Un nivel de seguridad es uno de: {valid}.",
}
