"""Indonesian texts of community settings."""

from collections.abc import Mapping

ID: Mapping[str, str] = {
    "imagine_off": "Moderator grup ini mematikan /imagine. Tidak ada yang ditagih.",
    "size_off": "Moderator di sini tidak mengizinkan gambar {value}. Ukuran yang diizinkan: "
                "{valid}. Tidak ada yang ditagih.",
    "word_blocked": "Perintah itu memuat kata yang diblokir moderator grup ini. Tidak ada yang "
                    "ditagih.",
    "slow_mode": "Mode lambat aktif di sini: tunggu {seconds} dtk sebelum permintaan "
                 "berikutnya. Tidak ada yang ditagih.",
    "size_last": "Setidaknya satu ukuran harus tetap diizinkan.",
    "slow_bad": "Mode lambat adalah bilangan bulat detik, dari 0 (mati) sampai {limit}.",
    "words_bad": "Tulis kata atau frasa dipisahkan koma, masing-masing paling banyak {limit} "
                 "karakter.",
    "words_too_many": "Satu grup bisa memblokir paling banyak {limit} kata.",
    "words_now": "Tersimpan. Kata yang diblokir di sini: {total}.",
    "slow_now": "Tersimpan. Mode lambat: {value}.",
    "log_now": "Tersimpan. Setiap edit di sini sekarang dicatat di {channel}.",
    "log_stopped": "Tersimpan. Log dimatikan.",
    "log_cannot_post": "Saya tidak bisa mengirim ke {channel}, jadi tidak ada yang berubah. "
                       "Tambahkan saya di sana (di kanal, sebagai admin yang boleh mengirim) "
                       "lalu coba lagi.",
    "log_hello": "Mulai sekarang, edit yang dibuat di {group} dicatat di sini.",
    "settings_saved": "Tersimpan.",
    "settings_panel": "Pengaturan grup ini (moderator ketuk untuk mengubah)\n"
                      "Ukuran diizinkan: {sizes}\n/imagine: {imagine}\nKeamanan: {safety}\n"
                      "Kata diblokir: {words}\nHasil sebagai spoiler: {spoiler}\n"
                      "Mode lambat: {slow}\nLog: {log}",
    "settings_usage_telegram": "Kata diblokir: /settings block kata1, kata2 dan /settings "
                               "unblock kata1. Mode lambat: /settings slow N (detik). Log: "
                               "/settings log diikuti id atau @nama obrolan, atau membalas "
                               "pos yang diteruskan dari sana (saya harus bisa mengirim ke "
                               "sana), /settings log off untuk menghentikan.",
    "settings_usage_discord": "Kata diblokir: /settings dengan block: kata1, kata2 atau "
                              "unblock: kata1. Pilih kanal log di bawah.",
    "help_settings": "/settings: ukuran, /imagine, tingkat keamanan, kata diblokir, spoiler, "
                     "mode lambat, dan log grup ini.",
    "state_on": "aktif",
    "state_off": "mati",
    "safety_strict": "ketat",
    "safety_standard": "standar",
    "safety_relaxed": "longgar",
    "seconds": "{seconds} dtk",
    "log_none": "tidak ada",
    "button_size": "{size}: {state}",
    "button_imagine": "/imagine: {state}",
    "button_safety": "Keamanan: {level}",
    "button_spoiler": "Spoiler: {state}",
    "button_slow": "Mode lambat: {value}",
    "button_log_off": "Hentikan log",
    "pick_log": "Kanal log",
    "log_note": "{who}: /{kind} {prompt}\n{outcome} · {cost}",
    "log_delivered": "terkirim",
    "log_refused": "ditolak model",
    "log_failed": "gagal",
    "log_other": "tidak dikerjakan",
    "cmd_settings": "Pengaturan grup (moderator)",
    "unknown_safety": "Tingkat keamanan adalah salah satu dari: {valid}.",
}
