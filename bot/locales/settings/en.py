"""English texts of community settings."""

from collections.abc import Mapping

EN: Mapping[str, str] = {
    # the rules' refusals: free, and a blocked word is never repeated back
    "imagine_off": "The moderators of this group have turned /imagine off. Nothing was charged.",
    "size_off": "The moderators here do not allow {value} images. Allowed sizes: {valid}. "
                "Nothing was charged.",
    "word_blocked": "That prompt has a word the moderators of this group blocked. Nothing was "
                    "charged.",
    "slow_mode": "Slow mode is on here: wait {seconds} s before your next request. Nothing was "
                 "charged.",
    # changing them
    "size_last": "At least one size has to stay allowed.",
    "slow_bad": "Slow mode is a whole number of seconds, from 0 (off) to {limit}.",
    "words_bad": "Give words or phrases separated by commas, {limit} characters each at most.",
    "words_too_many": "A group can block {limit} words at most.",
    "words_now": "Saved. Blocked words here: {total}.",
    "slow_now": "Saved. Slow mode: {value}.",
    "log_now": "Saved. Every edit made here is now noted in {channel}.",
    "log_stopped": "Saved. The log is off.",
    "log_cannot_post": "I cannot post in {channel}, so nothing changed. Add me there (in a "
                       "channel, as an administrator who may post) and try again.",
    "log_hello": "From now on, the edits made in {group} are noted here.",
    "settings_saved": "Saved.",
    # the panel
    "settings_panel": "Settings of this group (moderators tap to change)\n"
                      "Sizes allowed: {sizes}\n/imagine: {imagine}\nSafety: {safety}\n"
                      "Blocked words: {words}\nResults as spoilers: {spoiler}\n"
                      "Slow mode: {slow}\nLog: {log}",
    "settings_usage_telegram": "Blocked words: /settings block word1, word2 and /settings "
                               "unblock word1. Slow mode: /settings slow N (seconds). Log: "
                               "/settings log followed by the chat's id or @name, or in reply "
                               "to a post forwarded from it (I must be able to post there), "
                               "/settings log off to stop it.",
    "settings_usage_discord": "Blocked words: /settings with block: word1, word2 or unblock: "
                              "word1. Pick the log channel below.",
    "help_settings": "/settings: this group's sizes, /imagine, safety level, blocked words, "
                     "spoilers, slow mode and log.",
    "state_on": "on",
    "state_off": "off",
    "safety_strict": "strict",
    "safety_standard": "standard",
    "safety_relaxed": "relaxed",
    "seconds": "{seconds} s",
    "log_none": "none",
    "button_size": "{size}: {state}",
    "button_imagine": "/imagine: {state}",
    "button_safety": "Safety: {level}",
    "button_spoiler": "Spoilers: {state}",
    "button_slow": "Slow mode: {value}",
    "button_log_off": "Stop the log",
    "pick_log": "Log channel",
    # the log's note of one edit
    "log_note": "{who}: /{kind} {prompt}\n{outcome} · {cost}",
    "log_delivered": "delivered",
    "log_refused": "refused by the model",
    "log_failed": "failed",
    "log_other": "not done",
    "cmd_settings": "Group settings (moderators)",
    "unknown_safety": "A safety level is one of: {valid}.",
}
