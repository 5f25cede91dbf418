"""Brazilian Portuguese texts of community settings."""

from collections.abc import Mapping

PT: Mapping[str, str] = {
    "imagine_off": "Os moderadores deste grupo desligaram o /imagine. Nada foi cobrado.",
    "size_off": "Os moderadores daqui não permitem imagens {value}. Tamanhos permitidos: "
                "{valid}. Nada foi cobrado.",
    "word_blocked": "Esse pedido tem uma palavra que os moderadores deste grupo bloquearam. "
                    "Nada foi cobrado.",
    "slow_mode": "O modo lento está ligado aqui: espere {seconds} s antes do próximo pedido. "
                 "Nada foi cobrado.",
    "size_last": "Pelo menos um tamanho precisa continuar permitido.",
    "slow_bad": "O modo lento é um número inteiro de segundos, de 0 (desligado) a {limit}.",
    "words_bad": "Escreva palavras ou frases separadas por vírgulas, com no máximo {limit} "
                 "caracteres cada.",
    "words_too_many": "Um grupo pode bloquear no máximo {limit} palavras.",
    "words_now": "Salvo. Palavras bloqueadas aqui: {total}.",
    "slow_now": "Salvo. Modo lento: {value}.",
    "log_now": "Salvo. Cada edição feita aqui agora é anotada em {channel}.",
    "log_stopped": "Salvo. O registro está desligado.",
    "log_cannot_post": "Não consigo postar em {channel}, então nada mudou. Me adicione lá (num "
                       "canal, como administrador que pode postar) e tente de novo.",
    "log_hello": "A partir de agora, as edições feitas em {group} são anotadas aqui.",
    "settings_saved": "Salvo.",
    "settings_panel": "Configurações deste grupo (os moderadores tocam para mudar)\n"
                      "Tamanhos permitidos: {sizes}\n/imagine: {imagine}\nSegurança: {safety}\n"
                      "Palavras bloqueadas: {words}\nResultados como spoiler: {spoiler}\n"
                      "Modo lento: {slow}\nRegistro: {log}",
    "settings_usage_telegram": "Palavras bloqueadas: /settings block palavra1, palavra2 e "
                               "/settings unblock palavra1. Modo lento: /settings slow N "
                               "(segundos). Registro: /settings log seguido do id ou @nome do "
                               "chat, ou em resposta a um post encaminhado de lá (preciso poder "
                               "postar lá), /settings log off para parar.",
    "settings_usage_discord": "Palavras bloqueadas: /settings com block: palavra1, palavra2 ou "
                              "unblock: palavra1. Escolha abaixo o canal do registro.",
    "help_settings": "/settings: tamanhos, /imagine, nível de segurança, palavras bloqueadas, "
                     "spoilers, modo lento e registro deste grupo.",
    "state_on": "ligado",
    "state_off": "desligado",
    "safety_strict": "rígido",
    "safety_standard": "padrão",
    "safety_relaxed": "relaxado",
    "seconds": "{seconds} s",
    "log_none": "nenhum",
    "button_size": "{size}: {state}",
    "button_imagine": "/imagine: {state}",
    "button_safety": "Segurança: {level}",
    "button_spoiler": "Spoilers: {state}",
    "button_slow": "Modo lento: {value}",
    "button_log_off": "Parar o registro",
    "pick_log": "Canal do registro",
    "log_note": "{who}: /{kind} {prompt}\n{outcome} · {cost}",
    "log_delivered": "entregue",
    "log_refused": "recusado pelo modelo",
    "log_failed": "falhou",
    "log_other": "não feito",
    "cmd_settings": "Configurações do grupo (moderadores)",
    "unknown_safety": "Um nível de segurança é um destes: {valid}.",
}
