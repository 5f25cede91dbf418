"""Indonesian texts (Bahasa Indonesia)."""

from collections.abc import Mapping

ID: Mapping[str, str] = {
    # grammar and input
    "unknown_ratio": "“{value}” bukan rasio aspek yang dikenal model ini. "
                     "Gunakan salah satu: {valid}.",
    "unknown_size": "“{value}” bukan ukuran gambar yang dikenal model ini. "
                    "Gunakan salah satu: {valid}.",
    "size_not_supported": "Model ini tidak menerima ukuran gambar, jadi “{value}” tidak bisa "
                          "dipakai.",
    "two_ratios": "Tulis paling banyak satu rasio aspek. Rasio yang valid: {valid}.",
    "two_sizes": "Tulis paling banyak satu ukuran gambar. Ukuran yang valid: {valid}.",
    "no_prompt": "Tulis apa yang harus dilakukan setelah perintah, misalnya: /{kind} 9:16 "
                 "tambahkan seekor llama",
    "prompt_too_long": "Permintaan itu terlalu panjang: paling banyak {limit} karakter.",
    "no_image": "Lampirkan foto yang mau diedit: kirim dengan /edit di keterangannya, atau "
                "balas sebuah foto (atau file gambar, album, atau salah satu hasil saya) dengan "
                "/edit dan permintaanmu.",
    "too_many_images": "Model ini menerima paling banyak {limit} gambar; kamu mengirim "
                       "{count}.",
    "image_too_large": "Gambar itu terlalu besar ({size_mb} MB); batasnya {limit_mb} MB.",
    "not_an_image": "File itu bukan gambar yang bisa saya baca. Kirim JPEG, PNG, WebP, atau "
                    "GIF.",
    "unreadable_image": "Gambar itu sepertinya rusak: saya tidak bisa membacanya.",
    "fetch_failed": "Saya tidak bisa mengambil gambar itu. Kirim ulang ya; tidak ada kredit "
                    "yang terpakai.",
    "image_expired": "Gambar itu sudah tidak tersedia di Discord (tautannya kedaluwarsa "
                     "setelah sehari). Kirim ulang dengan /edit; tidak ada kredit terpakai.",
    "references_too_large": "Gabungan gambar Anda terlalu besar untuk model ({size_mb} MB "
                            "walau sudah diperkecil; batasnya {limit_mb} MB). Kirim lebih "
                            "sedikit atau lebih kecil; tidak ada kredit terpakai.",
    "album_privacy": "Di grup ini saya hanya melihat foto yang membawa perintah, bukan sisa "
                     "album (mode privasi bot Telegram). Untuk mengedit beberapa foto sekaligus, "
                     "kirim album ke saya lewat chat pribadi, atau minta admin menjadikan saya "
                     "admin di sini. Tidak ada kredit terpakai.",
    "too_many_pixels": "Gambar itu punya terlalu banyak piksel; batasnya {limit_mp} "
                       "megapiksel.",
    "cannot_fit_output": "Hasilnya terlalu besar untuk dikirim di sini.",
    "bad_output_ratio": "Bentuk hasilnya tidak bisa dikirim di sini.",
    # quota
    "quota_exceeded": "Kamu sudah memakai {limit} kredit hari ini. Kredit baru pukul "
                      "{resets_at}.",
    "scope_budget_exceeded": "Grup ini sudah memakai {limit} kredit hari ini. "
                             "Kredit baru pukul {resets_at}.",
    # the model said no
    "refused": "Model menolak permintaan ini ({reason_text}). Tidak ada kredit yang terpakai.",
    "reason_safety": "filter keamanan model menganggapnya tidak aman; coba ubah kata-katanya",
    "reason_no_image": "model menjawab tanpa gambar; coba ubah kata-kata permintaannya",
    "reason_other": "alasan: {reason}",
    # upstream
    "upstream_busy": "Layanan gambar sedang sibuk. Coba lagi sebentar lagi; tidak ada kredit "
                     "yang terpakai.",
    "upstream_unavailable": "Layanan gambar sedang tidak menjawab. Coba lagi nanti; tidak ada "
                            "kredit yang terpakai.",
    "upstream_unreachable": "Saya tidak bisa menghubungi layanan gambar. Coba lagi nanti; "
                            "tidak ada kredit yang terpakai.",
    "upstream_timeout": "Layanan gambar terlalu lama. Coba lagi; tidak ada kredit yang "
                        "terpakai.",
    "upstream_daily_quota": "Jatah gambar bot untuk hari ini sudah habis. Coba lagi besok; "
                            "tidak ada kredit yang terpakai.",
    "upstream_malformed": "Layanan gambar mengirim sesuatu yang tidak bisa dipakai. Coba "
                          "lagi; tidak ada kredit yang terpakai.",
    "upstream_auth": "Bot belum diatur dengan benar (kuncinya ditolak). Operator sudah "
                     "diberi tahu; tidak ada kredit yang terpakai.",
    "upstream_billing": "Akun gambar bot perlu diperiksa. Tidak ada kredit yang terpakai.",
    "upstream_model": "Model gambar bot sedang tidak tersedia. Tidak ada kredit yang "
                      "terpakai.",
    "upstream_bad_request": "Layanan gambar tidak bisa menerima permintaan ini (mungkin "
                            "gambarnya terlalu besar atau tidak biasa). Tidak ada kredit yang "
                            "terpakai.",
    "upstream_failed": "Layanan gambar gagal. Coba lagi nanti; tidak ada kredit yang terpakai.",
    "delivery_failed": "Gambarnya sudah jadi, tetapi tidak bisa saya kirim di sini. Tidak ada "
                       "kredit yang terpakai.",
    "daily_ceiling_exceeded": "Kamu sudah memakai {limit} kredit hari ini di semua obrolan. "
                              "Tambahan tersedia pukul {resets_at}.",
    "ledger_unavailable": "Terjadi kesalahan di pihak saya. Tidak ada yang ditagih; coba lagi "
                          "sebentar lagi.",
    "ledger_not_empty": "Basis data tujuan sudah berisi catatan kredit.",
    "error": "Ada yang salah. Tidak ada kredit yang terpakai.",
    "config": "Bot belum diatur dengan benar. Tidak ada kredit yang terpakai.",
    # progress and results
    "queued": "Dalam antrean: #{position}…",
    "working": "Sedang dikerjakan…",
    "delivering": "Mengirim…",
    "credits_left": "Sisa kredit hari ini: {left}",
    "credits_unlimited": "kredit tanpa batas",
    "demo_model_note": "Model demo: isi GEMINI_API_KEY untuk hasil edit sungguhan.",
    "demo_beside_note": (
        "Model demo: obrolan lokal di samping bot yang berjalan tidak membuat hasil edit "
        "sungguhan."),
    "ratio_note": "Catatan: gambar kembali dengan bentuk yang berbeda dari yang diminta.",
    "resumed": "Ini hasil edit yang kamu minta sebelum saya dimulai ulang.",
    "interrupted_delivery": "Saya dimulai ulang saat mengirim hasil editmu. Kalau belum "
                            "sampai, kirim ulang ya; tidak ada kredit yang terpakai.",
    "abandoned": "Saya dimulai ulang sebelum editmu selesai dan tidak bisa melanjutkannya. "
                 "Tidak ada kredit yang terpakai; kirim ulang ya.",
    # commands, help and moderation
    "start": "Hai {name}! Saya mengedit foto dengan Gemini: kirim foto beserta apa yang mau "
             "diubah, misalnya 9:16 tambahkan seekor llama (di grup: /edit 9:16 tambahkan "
             "seekor llama). Selengkapnya di /help.",
    "help": "Kirim foto dengan keterangan berisi apa yang mau diubah (di grup: /edit "
            "[RASIO] [UKURAN] PERMINTAAN); balas hasil saya untuk lanjut mengedit (/edit new "
            "... mulai dari awal).\n"
            "/imagine [RASIO] [UKURAN] PERMINTAAN: gambar baru. RASIO: {ratios}. UKURAN: "
            "{sizes}.\n"
            "Maksimal {max_images} gambar per edit; masing-masing {cost}, 4K {cost_4k}.\n"
            "Contoh: 9:16 2K jadikan lukisan cat air\n"
            "/quota: kreditmu hari ini.",
    "help_moderators": "Moderator: /setlimit N (balas anggota), /setlimit reset (balas), "
                       "/setlimit all N (kredit harian semua orang), /setlimit total N "
                       "(anggaran harian grup; /setlimit total reset menghapusnya), /usage.",
    "quota_status": "Sisa {left} di sini, {day_left} hari ini di semua obrolan. Terpakai di "
                    "sini hari ini: {used}. Kredit baru pukul {resets_at}.",
    "quota_reserved": "Ditahan untuk edit yang sedang berjalan: {reserved}.",
    "quota_unlimited": "Kreditmu tanpa batas. Terpakai hari ini: {used}.",
    "quota_budget": "Grup ini: {total} dari {budget} kredit terpakai hari ini.",
    "not_moderator": "Hanya admin grup ini yang bisa melakukannya.",
    "groups_only": "Itu hanya bisa di grup.",
    "setlimit_usage": "Cara pakai: balas anggota dengan /setlimit N atau /setlimit reset; "
                      "/setlimit all N untuk semua orang; /setlimit total N untuk anggaran "
                      "harian grup (/setlimit total reset menghapusnya). N bilangan bulat, 0 "
                      "berarti diblokir.",
    "limit_member_set": "{name} sekarang bisa memakai {value} kredit per hari di sini.",
    "limit_member_reset": "{name} kembali ke batas bawaan grup ini.",
    "limit_default_set": "Semua orang di sini sekarang bisa memakai {value} kredit per hari.",
    "limit_default_reset": "Kembali ke bawaan bot: {value} kredit per hari.",
    "limit_total_set": "Grup ini sekarang bisa memakai total {value} kredit per hari.",
    "limit_total_reset": "Grup ini tidak lagi punya anggaran harian.",
    "limits_show": "Batas di sini: {default} kredit per hari per orang; anggaran grup: "
                   "{total}; anggota dengan batas sendiri: {members}.",
    "none": "tidak ada",
    "usage_header": "Kredit terpakai hari ini ({day}):",
    "usage_total": "Total: {total}",
    "usage_total_budget": "Total: {total} dari {budget}",
    "usage_more": "… dan {count} lainnya",
    "usage_empty": "Belum ada yang memakai kredit di sini hari ini.",
    "button_again": "🔁 Lagi ({cost})",
    "button_4k": "4K ({cost})",
    "not_your_button": "Hanya orang yang meminta edit ini yang bisa memakai tombol ini.",
    "button_started": "Siap, dikerjakan!",
    "job_gone": "Saya tidak bisa mengulang edit itu lagi; kirim ulang ya.",
    "full_resolution": "Resolusi penuh: {width}×{height}",
    "cmd_edit": "Edit foto: [rasio] [ukuran] permintaan",
    "cmd_imagine": "Buat gambar: [rasio] [ukuran] permintaan",
    "cmd_quota": "Kreditmu hari ini",
    "cmd_help": "Cara memakai bot",
    "cmd_setlimit": "Atur batas harian (moderator)",
    "cmd_usage": "Pemakaian hari ini (moderator)",
    "duplicate": "Permintaan itu sedang saya kerjakan.",
    "no_image_discord": "Lampirkan gambar: pakai /edit dengan opsi image, atau klik kanan "
                        "pesan bergambar -> Apps -> Edit image, atau sebut saya di pesan "
                        "bergambar (atau di balasan untuk pesan itu).",
    "modal_title": "Edit gambar",
    "modal_prompt": "Apa yang harus diubah?",
    "modal_ratio": "Rasio aspek (opsional)",
    "modal_size": "Ukuran (opsional)",
    "cmd_limit": "Batas kredit harian di sini (moderator)",
    "late_result": "{mention} ini hasil editmu (lebih lama dari batas tunggu Discord).",
    "button_variations": "🎲 Variasi ({cost})",
    "credits_one": "{n} kredit",
    "credits_few": "{n} kredit",
    "credits_many": "{n} kredit",
    "ask_prompt": "Apa yang harus saya ubah?",
    "ask_placeholder": "mis. tambahkan seekor llama",
    # inline mode and /history
    "inline_title": "Edit: {prompt}",
    "inline_result": "{credits} · hasil Anda: {prompt}",
    "inline_sent": "{credits} · foto yang Anda kirim",
    "inline_type": "Ketik apa yang diubah, mis. 9:16 tambahkan topi",
    "inline_bad": "Saya tidak memahami permintaan itu: ketuk untuk bantuan",
    "inline_none": "Belum ada gambar terbaru: kirimi saya foto dulu",
    "inline_working": "Sedang mengedit: {prompt}…",
    "inline_button": "Edit foto bersama saya",
    "inline_start_first": "Saya belum bisa mengirim hasilnya secara pribadi: buka obrolan dengan "
                          "saya, tekan Mulai, lalu pilih lagi. Tidak ada yang ditagih.",
    "history_title": "Hasil terakhir Anda, terbaru dulu:",
    "history_empty": "Belum ada hasil: kirimi saya foto beserta apa yang ingin diubah.",
    "button_edit_again": "Edit lagi #{n}",
    "cmd_history": "Hasil terakhir Anda",
    "offer_generate": "Mau saya buatkan gambar baru dari itu? (Untuk mengedit foto, kirim "
                      "fotonya beserta apa yang mau diubah.)",
    "button_generate": "Buat - {credits}",
    "unknown_command": "Saya tidak kenal /{name}. Kirim foto beserta apa yang mau diubah, "
                       "atau lihat /help.",
    "did_you_mean": "Maksudmu {value}? (Saya membaca “{token}”.) Belum ada kredit yang "
                    "terpakai.",
    "button_yes": "✅ {value} - {credits}",
    "button_as_typed": "Sesuai tulisan - {credits}",
    "offer_gone": "Pertanyaan itu sudah kedaluwarsa; kirim ulang permintaanmu ya.",
    "images_trimmed": "Model ini menerima paling banyak {limit} gambar: saya memakai {limit} "
                      "gambar pertama dari {count} yang kamu kirim.",
    "one_at_a_time": "Satu per satu ya: permintaanmu sebelumnya masih berjalan. "
                     "Tidak ada kredit yang terpakai untuk yang ini.",
    "bad_limit": "Batas adalah bilangan bulat kredit dari 0 (memblokir) sampai {limit}, "
                 "atau reset.",
    "limit_usage_discord": "Cara pakai: /limit member @seseorang N (atau reset), /limit default N "
                           "untuk semua orang, /limit total N untuk anggaran harian server "
                           "(atau reset), /limit show. N bilangan bulat, 0 berarti diblokir.",
    "upstream_retry_too_late": "Layanan gambar sedang kewalahan dan meminta menunggu lebih lama "
                               "dari yang saya bisa. Coba lagi nanti; tidak ada kredit yang "
                               "terpakai.",
    # operasional: anggaran harian dan /stats (operator)
    "budget_reached": "Bot sudah mencapai anggaran hari ini; anggaran baru mulai pukul "
                      "{resets_at}. Tidak ada yang dipotong.",
    "budget_alert_80": "editbot: perkiraan biaya hari ini ${spent}, {percent}% dari anggaran "
                       "harian ${budget}.",
    "budget_alert_100": "editbot: perkiraan biaya hari ini ${spent}, {percent}% dari anggaran "
                        "harian ${budget}. Edit baru ditolak sampai {resets_at}.",
    "monthly_budget_reached": "Bot sudah mencapai anggaran bulan ini; anggaran baru mulai "
                              "{resets_on} pukul {resets_at}. Tidak ada yang dipotong.",
    "monthly_budget_alert_80": "editbot: perkiraan biaya bulan ini ${spent}, {percent}% dari "
                               "anggaran bulanan ${budget}.",
    "monthly_budget_alert_100": "editbot: perkiraan biaya bulan ini ${spent}, {percent}% dari "
                                "anggaran bulanan ${budget}. Edit baru ditolak sampai "
                                "{resets_on} {resets_at}.",
    "not_operator": "Hanya operator bot yang bisa melakukannya.",
    "cmd_stats": "Pemakaian, biaya, dan kegagalan (operator)",
    "stats_header": "Statistik untuk {model}",
    "stats_today": "Hari ini ({day})",
    "stats_week": "7 hari terakhir ({first} sampai {last})",
    "stats_outcomes": "Edit: {delivered} terkirim, {refused} ditolak, {failed} gagal, "
                      "{running} sedang diproses",
    "stats_spend": "Perkiraan biaya: ${spend}",
    "stats_spend_budget": "Perkiraan biaya: ${spend} dari ${budget} per hari",
    "stats_month": "Bulan ini: perkiraan biaya ${spend}",
    "stats_month_budget": "Bulan ini: perkiraan biaya ${spend} dari ${budget}",
    "stats_quality": "Tingkat kegagalan: {failure_rate}; waktu sampai hasil: p50 {p50}, "
                     "p95 {p95}",
    "stats_top": "Grup dan server dengan biaya terbesar: {top}",
    # credits people buy (only with payments on)
    "cmd_buy": "Beli kredit yang tidak direset setiap hari",
    "cmd_paysupport": "Bantuan pembayaran",
    "cmd_terms": "Ketentuan penjualan",
    "pay_private": "Kirim /buy ke saya di obrolan pribadi untuk membeli kredit.",
    "pay_packs": "Kredit yang dibeli tidak direset setiap hari: kredit gratis dipakai "
                 "lebih dulu. Pilih paket:",
    "pay_title": "{credits} kredit",
    "pay_description": "{credits} kredit edit seharga {stars} Telegram Stars. Tidak direset "
                       "setiap hari.",
    "pay_off": "Pembayaran sedang dimatikan. Tidak ada yang ditagih.",
    "pay_gone": "Paket ini tidak dijual lagi. Tidak ada yang ditagih: kirim /buy untuk "
                "paket yang ada.",
    "pay_thanks": "Terima kasih! {credits} kredit ditambahkan. Kamu punya {balance} "
                  "kredit yang dibeli.",
    "pay_refunded": "Pembayaranmu dikembalikan, dan {credits} kredit yang belum dipakai "
                    "ditarik kembali.",
    "pay_pack": "{credits} kredit seharga {stars} Stars",
    "refund_usage": "Kirim /refund CHARGE_ID (id pembayaran dari tanda terimanya).",
    "refund_unknown": "Tidak ada pembayaran dengan id itu.",
    "refund_done": "Dikembalikan. {credits} kredit yang belum dipakai ditarik kembali.",
    "refund_failed": "Telegram menolak pengembalian dana: {reason}",
    "paysupport": "Untuk bantuan pembayaran, hubungi pengelola bot ini.",
    "terms": "Kredit dipakai untuk edit dengan bot ini dan tidak direset setiap "
             "hari. Kredit yang belum dipakai bisa dikembalikan: lihat /paysupport.",
    "quota_balance": "Kredit yang dibeli: {balance} (tidak direset setiap hari).",
    "quota_buy": "Beli lagi di obrolan pribadi dengan saya: /buy ({packs}).",
    "quota_buy_discord": "Atau beli kredit dengan tombol di bawah; kredit itu tidak direset "
                         "setiap hari.",
    "help_buy": "Kredit habis? /buy lagi di obrolan pribadi (tidak direset setiap "
                "hari). /terms, /paysupport.",
    "stats_sales": "Penjualan: {stars} Stars untuk {credits} kredit ({purchases} "
                   "pembelian), {refunds} pengembalian; perkiraan pendapatan ${revenue}",
    "stats_sent_privately": "Saya sudah mengirim angkanya di obrolan pribadi kita.",
    "stats_start_privately": "Saya belum bisa menulis kepada Anda secara pribadi: buka obrolan "
                             "pribadi dengan @{bot}, tekan Mulai, lalu kirim /stats lagi.",
    "stats_not_sent": "Angkanya tidak dapat dikirim secara pribadi; coba lagi sebentar lagi.",
    # a queued job: its likely wait, and calling it off
    "queued_wait": "Dalam antrean: #{position}, sekitar {wait}…",
    "wait_s": "{n} dtk",
    "wait_min": "{n} mnt",
    "cancel_button": "Batal",
    "cancelled": "Dibatalkan sebelum model diminta: {credits} dikembalikan, tanpa biaya.",
    "cancel_too_late": "Terlambat: permintaan sudah di model, dan dikenai biaya.",
    "cancel_not_yours": "Hanya pengirim permintaan atau moderator di sini yang bisa membatalkan.",
    "cancel_not_yet": "Sebentar: permintaan masih diterima. Coba lagi sebentar lagi.",
    "cancel_ended": "Permintaan ini sudah selesai.",
    "cancel_unavailable": "Tidak bisa dibatalkan sekarang. Coba lagi sebentar lagi.",
}
