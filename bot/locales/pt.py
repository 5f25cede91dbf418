"""Brazilian Portuguese texts (português do Brasil)."""

from collections.abc import Mapping

PT: Mapping[str, str] = {
    # grammar and input
    "unknown_ratio": "“{value}” não é uma proporção que este modelo conheça. "
                     "Use uma destas: {valid}.",
    "unknown_size": "“{value}” não é um tamanho de imagem que este modelo conheça. "
                    "Use um destes: {valid}.",
    "size_not_supported": "Este modelo não aceita tamanho de imagem, então não dá para usar "
                          "“{value}”.",
    "two_ratios": "Informe no máximo uma proporção. Válidas: {valid}.",
    "two_sizes": "Informe no máximo um tamanho de imagem. Válidos: {valid}.",
    "no_prompt": "Diga o que fazer depois do comando, por exemplo: /{kind} 9:16 coloque uma "
                 "lhama",
    "prompt_too_long": "Esse pedido é longo demais: no máximo {limit} caracteres.",
    "no_image": "Anexe uma foto para editar: envie com /edit na legenda, ou responda a uma "
                "foto (ou a um arquivo de imagem, um álbum ou um dos meus resultados) com "
                "/edit e o seu pedido.",
    "too_many_images": "Este modelo aceita no máximo {limit} imagens; você enviou {count}.",
    "image_too_large": "Essa imagem é grande demais ({size_mb} MB); o limite é {limit_mb} MB.",
    "not_an_image": "Esse arquivo não é uma imagem que eu consiga ler. Envie JPEG, PNG, WebP "
                    "ou GIF.",
    "unreadable_image": "Essa imagem parece danificada: não consegui lê-la.",
    "fetch_failed": "Não consegui baixar essa imagem. Envie de novo; nada foi cobrado.",
    "image_expired": "Essa imagem não está mais disponível no Discord (os links expiram em "
                     "um dia). Envie de novo com /edit; nada foi cobrado.",
    "references_too_large": "Juntas, suas imagens são grandes demais para o modelo ({size_mb} "
                            "MB mesmo reduzidas; o limite é {limit_mb} MB). Envie menos imagens "
                            "ou imagens menores; nada foi cobrado.",
    "album_privacy": "Neste grupo só vejo a foto que traz o comando, não o resto do álbum "
                     "(modo de privacidade dos bots do Telegram). Para editar várias fotos "
                     "juntas, envie o álbum para mim no privado ou peça a um administrador "
                     "que me torne administrador aqui. Nada foi cobrado.",
    "too_many_pixels": "Essa imagem tem pixels demais; o limite é {limit_mp} megapixels.",
    "cannot_fit_output": "O resultado ficou grande demais para enviar aqui.",
    "bad_output_ratio": "O formato do resultado não pode ser enviado aqui.",
    # quota
    "quota_exceeded": "Você já usou seus {limit} créditos de hoje. Mais às {resets_at}.",
    "scope_budget_exceeded": "Este grupo já usou seus {limit} créditos de hoje. "
                             "Mais às {resets_at}.",
    # the model said no
    "refused": "O modelo recusou este pedido ({reason_text}). Nada foi cobrado.",
    "reason_safety": "os filtros do modelo o acharam inseguro; tente reformular",
    "reason_no_image": "ele respondeu sem imagem; tente reformular o pedido",
    "reason_other": "motivo: {reason}",
    # upstream
    "upstream_busy": "O serviço de imagens está ocupado agora. Tente de novo em um minuto; "
                     "nada foi cobrado.",
    "upstream_unavailable": "O serviço de imagens não está respondendo agora. Tente mais "
                            "tarde; nada foi cobrado.",
    "upstream_unreachable": "Não consegui falar com o serviço de imagens. Tente mais tarde; "
                            "nada foi cobrado.",
    "upstream_timeout": "O serviço de imagens demorou demais. Tente de novo; nada foi cobrado.",
    "upstream_daily_quota": "O bot esgotou a cota de imagens de hoje. Tente amanhã; nada foi "
                            "cobrado.",
    "upstream_malformed": "O serviço de imagens devolveu algo inutilizável. Tente de novo; "
                          "nada foi cobrado.",
    "upstream_auth": "O bot não está configurado corretamente (a chave dele foi recusada). Um "
                     "operador foi avisado; nada foi cobrado.",
    "upstream_billing": "A conta de imagens do bot precisa de atenção. Nada foi cobrado.",
    "upstream_model": "O modelo de imagens do bot não está disponível. Nada foi cobrado.",
    "upstream_bad_request": "O serviço de imagens não aceitou este pedido (talvez a imagem "
                            "seja grande demais ou incomum). Nada foi cobrado.",
    "upstream_failed": "O serviço de imagens falhou. Tente mais tarde; nada foi cobrado.",
    "delivery_failed": "Fiz a imagem, mas não consegui enviá-la aqui. Nada foi cobrado.",
    "daily_ceiling_exceeded": "Você já usou seus {limit} créditos de hoje em todos os chats. "
                              "Haverá mais às {resets_at}.",
    "ledger_unavailable": "Algo deu errado do meu lado. Nada foi cobrado; tente de novo em "
                          "instantes.",
    "ledger_not_empty": "O banco de dados de destino já tem um registro de créditos.",
    "error": "Algo deu errado. Nada foi cobrado.",
    "config": "O bot não está configurado corretamente. Nada foi cobrado.",
    # progress and results
    "queued": "Na fila: nº {position}…",
    "working": "Trabalhando nisso…",
    "delivering": "Enviando…",
    "credits_left": "Créditos restantes hoje: {left}",
    "credits_unlimited": "créditos ilimitados",
    "demo_model_note": "Modelo de demonstração: defina GEMINI_API_KEY para edições de verdade.",
    "demo_beside_note": (
        "Modelo de demonstração: o chat local ao lado de um bot em execução não faz "
        "edições de verdade."),
    "ratio_note": "Obs.: a imagem voltou num formato diferente do pedido.",
    "resumed": "Aqui está a edição que você pediu antes de eu reiniciar.",
    "interrupted_delivery": "Reiniciei enquanto enviava sua edição. Se ela não chegou, envie "
                            "de novo; nada foi cobrado.",
    "abandoned": "Reiniciei antes de terminar sua edição e não consegui retomá-la. Nada foi "
                 "cobrado; envie de novo.",
    # commands, help and moderation
    "start": "Oi, {name}! Eu edito fotos com o Gemini: me envie uma foto com o que mudar, "
             "ex.: 9:16 coloque uma lhama (num grupo: /edit 9:16 coloque uma lhama). Mais em "
             "/help.",
    "help": "Envie uma foto com o que mudar na legenda (num grupo: /edit [PROPORÇÃO] "
            "[TAMANHO] PEDIDO); responda ao meu resultado para continuar editando (/edit new "
            "... recomeça do zero).\n"
            "/imagine [PROPORÇÃO] [TAMANHO] PEDIDO: uma imagem nova. PROPORÇÃO: {ratios}. "
            "TAMANHO: {sizes}.\n"
            "Até {max_images} imagens por edição; {cost} cada, 4K {cost_4k}.\n"
            "Exemplo: 9:16 2K transforme em aquarela\n"
            "/quota: seus créditos de hoje.",
    "help_moderators": "Moderadores: /setlimit N (respondendo a um membro), /setlimit reset "
                       "(respondendo), /setlimit all N (créditos diários de todos), "
                       "/setlimit total N (orçamento diário do grupo; /setlimit total reset "
                       "remove), /usage.",
    "quota_status": "Restam {left} aqui, {day_left} hoje no total. Usados aqui hoje: {used}. "
                    "Novos créditos às {resets_at}.",
    "quota_reserved": "Reservados para edições em andamento: {reserved}.",
    "quota_unlimited": "Você tem créditos ilimitados. Usados hoje: {used}.",
    "quota_budget": "Este grupo: {total} de {budget} créditos usados hoje.",
    "not_moderator": "Só os administradores deste grupo podem fazer isso.",
    "groups_only": "Isso só funciona em grupos.",
    "setlimit_usage": "Como usar: responda a um membro com /setlimit N ou /setlimit reset; "
                      "/setlimit all N para todos; /setlimit total N para o orçamento diário "
                      "do grupo (/setlimit total reset remove). N é um número inteiro; 0 "
                      "bloqueia.",
    "limit_member_set": "{name} agora pode usar {value} créditos por dia aqui.",
    "limit_member_reset": "{name} voltou ao limite padrão deste grupo.",
    "limit_default_set": "Agora todos aqui podem usar {value} créditos por dia.",
    "limit_default_reset": "De volta ao padrão do bot: {value} créditos por dia.",
    "limit_total_set": "Agora este grupo pode usar {value} créditos por dia no total.",
    "limit_total_reset": "Este grupo não tem mais orçamento diário.",
    "limits_show": "Limites aqui: {default} créditos por dia por pessoa; orçamento do grupo: "
                   "{total}; membros com limite próprio: {members}.",
    "none": "nenhum",
    "usage_header": "Créditos usados hoje ({day}):",
    "usage_total": "Total: {total}",
    "usage_total_budget": "Total: {total} de {budget}",
    "usage_more": "… e mais {count}",
    "usage_empty": "Ninguém usou créditos aqui hoje.",
    "button_again": "🔁 De novo ({cost})",
    "button_4k": "4K ({cost})",
    "not_your_button": "Só quem pediu esta edição pode usar estes botões.",
    "button_started": "Já vou!",
    "job_gone": "Não consigo mais repetir essa edição; envie de novo.",
    "full_resolution": "Resolução completa: {width}×{height}",
    "cmd_edit": "Editar uma foto: [proporção] [tamanho] pedido",
    "cmd_imagine": "Criar uma imagem: [proporção] [tamanho] pedido",
    "cmd_quota": "Seus créditos de hoje",
    "cmd_help": "Como usar o bot",
    "cmd_setlimit": "Definir limites diários (moderadores)",
    "cmd_usage": "Uso de hoje (moderadores)",
    "duplicate": "Já estou trabalhando nesse.",
    "no_image_discord": "Anexe uma imagem: use /edit com a opção de imagem, ou clique com o "
                        "botão direito numa mensagem com imagens -> Apps -> Edit image, ou me "
                        "mencione numa mensagem com imagens (ou numa resposta a uma).",
    "modal_title": "Editar imagem",
    "modal_prompt": "O que deve mudar?",
    "modal_ratio": "Proporção (opcional)",
    "modal_size": "Tamanho (opcional)",
    "cmd_limit": "Limites diários de créditos aqui (moderadores)",
    "late_result": "{mention} aqui está sua edição (demorou mais do que o Discord espera).",
    "button_variations": "🎲 Variações ({cost})",
    "credits_one": "{n} crédito",
    "credits_few": "{n} créditos",
    "credits_many": "{n} créditos",
    "ask_prompt": "O que devo mudar?",
    "ask_placeholder": "ex.: coloque uma lhama",
    # inline mode and /history
    "inline_title": "Editar: {prompt}",
    "inline_result": "{credits} · seu resultado: {prompt}",
    "inline_sent": "{credits} · uma foto que você enviou",
    "inline_type": "Digite o que mudar, por ex. 9:16 coloque um chapéu",
    "inline_bad": "Não entendi esse pedido: toque para ver a ajuda",
    "inline_none": "Nenhuma imagem recente: envie uma foto para mim primeiro",
    "inline_working": "Editando: {prompt}…",
    "inline_button": "Editar uma foto comigo",
    "inline_start_first": "Ainda não consigo enviar o resultado no privado: abra uma conversa "
                          "comigo, toque em Iniciar e escolha de novo. Nada foi cobrado.",
    "history_title": "Seus últimos resultados, do mais recente ao mais antigo:",
    "history_empty": "Ainda não há resultados: envie uma foto com o que quer mudar.",
    "button_edit_again": "Editar de novo #{n}",
    "cmd_history": "Seus últimos resultados",
    "offer_generate": "Quer que eu crie uma imagem nova a partir disso? (Para editar uma foto, "
                      "envie a foto com o que mudar.)",
    "button_generate": "Gerar - {credits}",
    "unknown_command": "Não conheço /{name}. Envie uma foto com o que mudar, ou veja /help.",
    "did_you_mean": "Você quis dizer {value}? (Li “{token}”.) Nada foi cobrado ainda.",
    "button_yes": "✅ {value} - {credits}",
    "button_as_typed": "Como escrito - {credits}",
    "offer_gone": "Essa pergunta expirou; envie seu pedido de novo.",
    "images_trimmed": "Este modelo aceita no máximo {limit} imagens: estou usando as primeiras "
                      "{limit} das {count} que você enviou.",
    "one_at_a_time": "Uma de cada vez, por favor: seus pedidos anteriores ainda estão em "
                     "andamento. Nada foi cobrado por este.",
    "bad_limit": "Um limite é um número inteiro de créditos de 0 (bloqueia) a {limit}, ou reset.",
    "limit_usage_discord": "Como usar: /limit member @alguém N (ou reset), /limit default N "
                           "para todos, /limit total N para o orçamento diário do servidor "
                           "(ou reset), /limit show. N é um número inteiro; 0 bloqueia.",
    "upstream_retry_too_late": "O serviço de imagens está sobrecarregado e pede para esperar mais "
                               "do que posso. Tente mais tarde; nada foi cobrado.",
    # operações: o orçamento diário e /stats (operadores)
    "budget_reached": "O bot atingiu o orçamento de hoje; ele renova às {resets_at}. "
                      "Nada foi cobrado.",
    "budget_alert_80": "editbot: o gasto estimado de hoje é ${spent}, {percent}% do orçamento "
                       "diário de ${budget}.",
    "budget_alert_100": "editbot: o gasto estimado de hoje é ${spent}, {percent}% do orçamento "
                        "diário de ${budget}. Novas edições são recusadas até {resets_at}.",
    "monthly_budget_reached": "O bot atingiu o orçamento deste mês; ele renova em "
                              "{resets_on} às {resets_at}. Nada foi cobrado.",
    "monthly_budget_alert_80": "editbot: o gasto estimado deste mês é ${spent}, {percent}% do "
                               "orçamento mensal de ${budget}.",
    "monthly_budget_alert_100": "editbot: o gasto estimado deste mês é ${spent}, {percent}% do "
                                "orçamento mensal de ${budget}. Novas edições são recusadas "
                                "até {resets_on} {resets_at}.",
    "not_operator": "Só os operadores do bot podem fazer isso.",
    "cmd_stats": "Uso, gastos e falhas (operadores)",
    "stats_header": "Estatísticas de {model}",
    "stats_today": "Hoje ({day})",
    "stats_week": "Últimos 7 dias ({first} a {last})",
    "stats_outcomes": "Edições: {delivered} entregues, {refused} recusadas, {failed} com "
                      "falha, {running} em andamento",
    "stats_spend": "Gasto estimado: ${spend}",
    "stats_spend_budget": "Gasto estimado: ${spend} de ${budget} por dia",
    "stats_month": "Este mês: gasto estimado ${spend}",
    "stats_month_budget": "Este mês: gasto estimado ${spend} de ${budget}",
    "stats_quality": "Taxa de falhas: {failure_rate}; tempo até o resultado: p50 {p50}, "
                     "p95 {p95}",
    "stats_top": "Grupos e servidores que mais gastaram: {top}",
    # credits people buy (only with payments on)
    "cmd_buy": "Comprar créditos que não zeram todo dia",
    "cmd_paysupport": "Ajuda com um pagamento",
    "cmd_terms": "Termos de venda",
    "pay_private": "Envie /buy para mim num chat privado para comprar créditos.",
    "pay_packs": "Os créditos comprados não zeram todo dia: os gratuitos são usados "
                 "primeiro. Escolha um pacote:",
    "pay_title": "{credits} créditos",
    "pay_description": "{credits} créditos de edição por {stars} Telegram Stars. Não zeram "
                       "todo dia.",
    "pay_off": "Os pagamentos estão desativados no momento. Nada foi cobrado.",
    "pay_gone": "Este pacote não está mais à venda. Nada foi cobrado: envie /buy para "
                "ver os atuais.",
    "pay_thanks": "Obrigado! {credits} créditos foram adicionados. Você tem {balance} "
                  "créditos comprados.",
    "pay_refunded": "Seu pagamento foi reembolsado, e os {credits} créditos dele não usados "
                    "foram retirados.",
    "pay_pack": "{credits} créditos por {stars} Stars",
    "refund_usage": "Envie /refund CHARGE_ID (o id do pagamento no recibo).",
    "refund_unknown": "Nenhum pagamento tem esse id.",
    "refund_done": "Reembolsado. {credits} créditos não usados foram retirados.",
    "refund_failed": "O Telegram recusou o reembolso: {reason}",
    "paysupport": "Para ajuda com um pagamento, escreva para quem administra este bot.",
    "terms": "Os créditos são para edições com este bot e não zeram todo dia. "
             "Créditos não usados podem ser reembolsados: veja /paysupport.",
    "quota_balance": "Créditos comprados: {balance} (não zeram todo dia).",
    "quota_buy": "Compre mais num chat privado comigo: /buy ({packs}).",
    "quota_buy_discord": "Ou compre créditos com um botão abaixo; eles não zeram todo dia.",
    "help_buy": "Sem créditos? /buy mais num chat privado (não zeram todo dia). /terms, "
                "/paysupport.",
    "stats_sales": "Vendas: {stars} Stars por {credits} créditos ({purchases} compras), "
                   "{refunds} reembolsos; receita estimada ${revenue}",
    "stats_sent_privately": "Enviei os números para você no nosso chat privado.",
    "stats_start_privately": "Ainda não posso escrever para você em privado: abra um chat privado"
                             " com @{bot}, toque em Iniciar e envie /stats de novo.",
    "stats_not_sent": "Não foi possível enviar os números em privado; tente de novo daqui a "
                      "pouco.",
    # a queued job: its likely wait, and calling it off
    "queued_wait": "Na fila: nº {position}, cerca de {wait}…",
    "wait_s": "{n} s",
    "wait_min": "{n} min",
    "cancel_button": "Cancelar",
    "cancelled": "Cancelado antes de pedir ao modelo: {credits} de volta, nada cobrado.",
    "cancel_too_late": "Tarde demais: já está com o modelo, e é cobrado.",
    "cancel_not_yours": "Só quem pediu, ou um moderador daqui, pode cancelar.",
    "cancel_not_yet": "Um momento: o pedido ainda está chegando. Tente de novo em um segundo.",
    "cancel_ended": "Este pedido já terminou.",
    "cancel_unavailable": "Não é possível cancelar agora. Tente de novo em um momento.",
}
