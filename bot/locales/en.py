"""English texts."""

from collections.abc import Mapping

EN: Mapping[str, str] = {
    # grammar and input
    "unknown_ratio": "“{value}” is not an aspect ratio this model knows. Use one of: {valid}.",
    "unknown_size": "“{value}” is not an image size this model knows. Use one of: {valid}.",
    "size_not_supported": "This model does not take an image size, so “{value}” cannot be used.",
    "two_ratios": "Give one aspect ratio at most. Valid ratios: {valid}.",
    "two_sizes": "Give one image size at most. Valid sizes: {valid}.",
    "no_prompt": "Say what to do after the command, for example: /{kind} 9:16 add a llama",
    "prompt_too_long": "That prompt is too long: {limit} characters at most.",
    "no_image": "Attach a photo to edit: send it with /edit in the caption, or reply to a photo "
                "(or an image file, an album, or one of my results) with /edit and your prompt.",
    "too_many_images": "This model takes at most {limit} images; you sent {count}.",
    "images_trimmed": "This model takes at most {limit} images: I am using the first {limit} "
                      "of the {count} you sent.",
    "one_at_a_time": "One at a time, please: your earlier requests are still running. "
                     "Nothing was charged for this one.",
    "image_too_large": "That image is too large ({size_mb} MB); the limit is {limit_mb} MB.",
    "not_an_image": "That file is not an image I can read. Send a JPEG, PNG, WebP or GIF.",
    "unreadable_image": "That image seems damaged: I could not read it.",
    "fetch_failed": "I could not fetch that image. Please send it again; nothing was charged.",
    "image_expired": "That image is no longer available from Discord (its links expire after "
                     "a day). Send it again with /edit; nothing was charged.",
    "references_too_large": "Together your images are too large for the model ({size_mb} MB "
                            "even after shrinking; the limit is {limit_mb} MB). Send fewer or "
                            "smaller images; nothing was charged.",
    "album_privacy": "In this group I only see the photo that carries the command, not the rest "
                     "of the album (Telegram's privacy mode for bots). To edit several photos "
                     "together, send the album to me in a private chat, or ask an admin to make "
                     "me an administrator here. Nothing was charged.",
    "too_many_pixels": "That image has too many pixels; the limit is {limit_mp} megapixels.",
    "cannot_fit_output": "The result was too large to send here.",
    "bad_output_ratio": "The result's shape cannot be sent here.",
    # quota
    "quota_exceeded": "You have used your {limit} credits for today. More at {resets_at}.",
    "scope_budget_exceeded": "This group has used its {limit} credits for today. "
                             "More at {resets_at}.",
    "daily_ceiling_exceeded": "You have used your {limit} credits for today across all chats. "
                              "More at {resets_at}.",
    # the model said no
    "refused": "The model declined this one ({reason_text}). Nothing was charged.",
    "reason_safety": "it looked unsafe to the model's filters; try rewording",
    "reason_no_image": "it answered without an image; try rewording the prompt",
    "reason_other": "reason: {reason}",
    # upstream
    "upstream_busy": "The image service is busy right now. Please try again in a minute; "
                     "nothing was charged.",
    "upstream_unavailable": "The image service is not answering right now. Please try again "
                            "later; nothing was charged.",
    "upstream_unreachable": "I could not reach the image service. Please try again later; "
                            "nothing was charged.",
    "upstream_timeout": "The image service took too long. Please try again; nothing was charged.",
    "upstream_daily_quota": "The bot has used up its image allowance for today. Please try "
                            "again tomorrow; nothing was charged.",
    "upstream_malformed": "The image service sent back something unusable. Please try again; "
                          "nothing was charged.",
    "upstream_auth": "The bot is not set up correctly (its key was refused). An operator has "
                     "been told; nothing was charged.",
    "upstream_billing": "The bot's image account needs attention. Nothing was charged.",
    "upstream_model": "The bot's image model is not available. Nothing was charged.",
    "upstream_bad_request": "The image service could not take this request (the image may be "
                            "too large or unusual). Nothing was charged.",
    "upstream_failed": "The image service failed. Please try again later; nothing was charged.",
    "delivery_failed": "I made the image but could not send it here. Nothing was charged.",
    "error": "Something went wrong. Nothing was charged.",
    "ledger_unavailable": "Something went wrong on my side. Nothing was charged; please try "
                          "again in a moment.",
    "ledger_not_empty": "The target database already has a ledger.",
    "config": "The bot is not configured correctly. Nothing was charged.",
    # progress and results
    "queued": "Queued: #{position} in line…",
    "working": "Working on it…",
    "delivering": "Sending…",
    "credits_left": "{left} credits left today",
    "credits_unlimited": "unlimited credits",
    "demo_model_note": "Demo model: set GEMINI_API_KEY for real edits.",
    "demo_beside_note": "Demo model: the local chat beside a running bot makes no real edits.",
    "ratio_note": "Note: the image came back at a different shape than asked.",
    "resumed": "Here is the edit you asked for before I restarted.",
    "interrupted_delivery": "I restarted while sending your edit. If it did not arrive, "
                            "please send it again; nothing was charged.",
    "abandoned": "I restarted before finishing your edit and could not pick it up again. "
                 "Nothing was charged; please send it again.",
    # commands, help and moderation
    "start": "Hi {name}! I edit photos with Gemini: send me a photo with what to change, "
             "e.g. 9:16 add a llama (in a group: /edit 9:16 add a llama). /help has more.",
    "help": "Send a photo with what to change as its caption (in a group: /edit [RATIO] "
            "[SIZE] PROMPT); reply to my result to keep editing it (/edit new ... starts "
            "afresh).\n"
            "/imagine [RATIO] [SIZE] PROMPT: a new image. RATIO: {ratios}. SIZE: {sizes}.\n"
            "Up to {max_images} images per edit; {cost} each, 4K {cost_4k}.\n"
            "Example: 9:16 2K make it a watercolour\n"
            "/quota: your credits today.",
    "help_moderators": "Moderators: /setlimit N (reply to a member), /setlimit reset (reply), "
                       "/setlimit all N (everyone's daily credits), /setlimit total N (the "
                       "group's daily budget; /setlimit total reset removes it), /usage.",
    "quota_status": "{left} left here, {day_left} left today in all. Used here today: {used}. "
                    "New credits at {resets_at}.",
    "quota_reserved": "Held for edits in progress: {reserved}.",
    "quota_unlimited": "You have unlimited credits. Used today: {used}.",
    "quota_budget": "This group: {total} of {budget} credits used today.",
    "not_moderator": "Only this group's administrators can do that.",
    "groups_only": "That works in groups only.",
    "setlimit_usage": "How to use it: reply to a member with /setlimit N or /setlimit reset; "
                      "/setlimit all N for everyone; /setlimit total N for the group's daily "
                      "budget (/setlimit total reset removes it). N is a whole number, 0 blocks.",
    "bad_limit": "A limit is a whole number of credits from 0 (blocks) to {limit}, or reset.",
    "limit_usage_discord": "How to use it: /limit member @someone N (or reset), /limit default "
                           "N for everyone, /limit total N for the server's daily budget (or "
                           "reset), /limit show. N is a whole number, 0 blocks.",
    "limit_member_set": "{name} can now use {value} credits a day here.",
    "limit_member_reset": "{name} is back to this group's default limit.",
    "limit_default_set": "Everyone here can now use {value} credits a day.",
    "limit_default_reset": "Back to the bot's default of {value} credits a day.",
    "limit_total_set": "This group can now use {value} credits a day in total.",
    "limit_total_reset": "This group no longer has a daily budget.",
    "limits_show": "Limits here: {default} credits a day each; group budget: {total}; "
                   "members set one by one: {members}.",
    "none": "none",
    "usage_header": "Credits used today ({day}):",
    "usage_total": "Total: {total}",
    "usage_total_budget": "Total: {total} of {budget}",
    "usage_more": "… and {count} more",
    "usage_empty": "Nobody has used any credits here today.",
    "button_again": "🔁 Again ({cost})",
    "button_4k": "4K ({cost})",
    "not_your_button": "Only the person who asked for this edit can use these buttons.",
    "button_started": "On it!",
    "job_gone": "I can no longer repeat that edit; please send it again.",
    "full_resolution": "Full resolution: {width}×{height}",
    "cmd_edit": "Edit a photo: [ratio] [size] prompt",
    "cmd_imagine": "Make an image: [ratio] [size] prompt",
    "cmd_quota": "Your credits today",
    "cmd_help": "How to use the bot",
    "cmd_setlimit": "Set daily limits (moderators)",
    "cmd_usage": "Today's usage (moderators)",
    "duplicate": "I am already working on that one.",
    "upstream_retry_too_late": "The image service is overloaded and asks to wait longer than I "
                               "can. Please try again later; nothing was charged.",
    "no_image_discord": "Attach an image: use /edit with the image option, or right-click a "
                        "message with images -> Apps -> Edit image, or mention me in a message "
                        "with images (or in a reply to one).",
    "modal_title": "Edit image",
    "modal_prompt": "What should change?",
    "modal_ratio": "Aspect ratio (optional)",
    "modal_size": "Size (optional)",
    "cmd_limit": "Daily credit limits here (moderators)",
    "late_result": "{mention} here is your edit (it took longer than Discord waits).",
    "button_variations": "🎲 Variations ({cost})",
    "credits_one": "{n} credit",
    "credits_few": "{n} credits",
    "credits_many": "{n} credits",
    "ask_prompt": "What should I change?",
    "ask_placeholder": "e.g. add a llama",
    # inline mode and /history
    "inline_title": "Edit: {prompt}",
    "inline_result": "{credits} · your result: {prompt}",
    "inline_sent": "{credits} · a photo you sent",
    "inline_type": "Type what to change, e.g. 9:16 add a hat",
    "inline_bad": "I could not read that request: tap for help",
    "inline_none": "No recent images: send me a photo first",
    "inline_working": "Editing: {prompt}…",
    "inline_button": "Edit a photo with me",
    "inline_start_first": "I can’t send you the result privately yet: open a chat with me, press "
                          "Start, then pick again. Nothing was charged.",
    "history_title": "Your last results, newest first:",
    "history_empty": "No results yet: send me a photo with what to change.",
    "button_edit_again": "Edit again #{n}",
    "cmd_history": "Your last results",
    "offer_generate": "Shall I make a new image from that? (To edit a photo, send the photo "
                      "with what to change.)",
    "button_generate": "Generate - {credits}",
    "unknown_command": "I don't know /{name}. Send a photo with what to change, or see /help.",
    "did_you_mean": "Did you mean {value}? (I read “{token}”.) Nothing was charged yet.",
    "button_yes": "✅ {value} - {credits}",
    "button_as_typed": "As typed - {credits}",
    "offer_gone": "That question has expired; please send your request again.",
    # operations: the daily budget and /stats (operators)
    "budget_reached": "The bot has reached its budget for today; it resets at {resets_at}. "
                      "Nothing was charged.",
    "budget_alert_80": "editbot: today's estimated spend is ${spent}, {percent}% of the daily "
                       "budget of ${budget}.",
    "budget_alert_100": "editbot: today's estimated spend is ${spent}, {percent}% of the daily "
                        "budget of ${budget}. New edits are refused until {resets_at}.",
    "monthly_budget_reached": "The bot has reached its budget for this month; it resets on "
                              "{resets_on} at {resets_at}. Nothing was charged.",
    "monthly_budget_alert_80": "editbot: this month's estimated spend is ${spent}, {percent}% of "
                               "the monthly budget of ${budget}.",
    "monthly_budget_alert_100": "editbot: this month's estimated spend is ${spent}, {percent}% "
                                "of the monthly budget of ${budget}. New edits are refused "
                                "until {resets_on} {resets_at}.",
    "not_operator": "Only the bot's operators can do that.",
    "cmd_stats": "Usage, spend and failures (operators)",
    "stats_header": "Stats for {model}",
    "stats_today": "Today ({day})",
    "stats_week": "Last 7 days ({first} to {last})",
    "stats_outcomes": "Edits: {delivered} delivered, {refused} refused, {failed} failed, "
                      "{running} running",
    "stats_spend": "Estimated spend: ${spend}",
    "stats_spend_budget": "Estimated spend: ${spend} of ${budget} a day",
    "stats_month": "This month: estimated spend ${spend}",
    "stats_month_budget": "This month: estimated spend ${spend} of ${budget}",
    "stats_quality": "Failure rate: {failure_rate}; time to result: p50 {p50}, p95 {p95}",
    "stats_top": "Top groups and servers by spend: {top}",
    # credits people buy (only with payments on)
    "cmd_buy": "Buy credits that do not reset daily",
    "cmd_paysupport": "Help with a payment",
    "cmd_terms": "Terms of sale",
    "pay_private": "Send /buy to me in a private chat to buy credits.",
    "pay_packs": "Credits you buy do not reset daily: your free credits are used first. "
                 "Pick a pack:",
    "pay_title": "{credits} credits",
    "pay_description": "{credits} edit credits for {stars} Telegram Stars. They do not reset "
                       "daily.",
    "pay_off": "Payments are off at the moment. Nothing was charged.",
    "pay_gone": "This pack is no longer on offer. Nothing was charged: send /buy for "
                "the current ones.",
    "pay_thanks": "Thank you! {credits} credits were added. You have {balance} bought credits.",
    "pay_refunded": "Your payment was refunded, and the {credits} unused credits of it were "
                    "taken back.",
    "pay_pack": "{credits} credits for {stars} Stars",
    "refund_usage": "Send /refund CHARGE_ID (the payment's id from its receipt).",
    "refund_unknown": "No payment has that id.",
    "refund_done": "Refunded. {credits} unused credits were taken back.",
    "refund_failed": "Telegram refused the refund: {reason}",
    "paysupport": "For help with a payment, write to the people who run this bot.",
    "terms": "Credits are for edits with this bot. They do not reset daily. Unused "
             "credits can be refunded: see /paysupport.",
    "quota_balance": "Bought credits: {balance} (they do not reset daily).",
    "quota_buy": "Buy more in a private chat with me: /buy ({packs}).",
    "quota_buy_discord": "Or buy credits with a button below; they do not reset daily.",
    "help_buy": "Out of credits? /buy more in a private chat (they do not reset daily). "
                "/terms, /paysupport.",
    "stats_sales": "Sales: {stars} Stars for {credits} credits ({purchases} purchases), "
                   "{refunds} refunds; estimated revenue ${revenue}",
    "stats_sent_privately": "I sent you the figures in our private chat.",
    "stats_start_privately": "I can’t write to you privately yet: open a private chat with "
                             "@{bot}, press Start, then send /stats again.",
    "stats_not_sent": "The figures could not be sent to you privately; please try again in a "
                      "moment.",
    # a queued job: its likely wait, and calling it off
    "queued_wait": "Queued: #{position} in line, about {wait}…",
    "wait_s": "{n} s",
    "wait_min": "{n} min",
    "cancel_button": "Cancel",
    "cancelled": "Cancelled before the model was asked: {credits} back, nothing charged.",
    "cancel_too_late": "Too late: it is already with the model, and it is charged.",
    "cancel_not_yours": "Only the person who asked, or a moderator here, can cancel this.",
    "cancel_not_yet": "One moment: this request is still arriving. Try again in a second.",
    "cancel_ended": "This request has already ended.",
    "cancel_unavailable": "It cannot be cancelled right now. Try again in a moment.",
}
