"""Vietnamese texts (tiếng Việt)."""

from collections.abc import Mapping

VI: Mapping[str, str] = {
    "unknown_ratio": "“{value}” không phải tỉ lệ khung hình mà mô hình hỗ trợ. "
                     "Hãy dùng một trong: {valid}.",
    "unknown_size": "“{value}” không phải kích thước ảnh mà mô hình hỗ trợ. "
                    "Hãy dùng một trong: {valid}.",
    "size_not_supported": "Mô hình này không nhận kích thước ảnh, nên không dùng được “{value}”.",
    "two_ratios": "Chỉ được ghi tối đa một tỉ lệ. Các tỉ lệ hợp lệ: {valid}.",
    "two_sizes": "Chỉ được ghi tối đa một kích thước. Các kích thước hợp lệ: {valid}.",
    "no_prompt": "Hãy ghi yêu cầu sau lệnh, ví dụ: /{kind} 9:16 thêm một con lạc đà không bướu",
    "prompt_too_long": "Yêu cầu quá dài: tối đa {limit} ký tự.",
    "no_image": "Hãy gửi kèm ảnh cần sửa: gửi ảnh với chú thích /edit, hoặc trả lời một ảnh "
                "(hay tệp ảnh, album, hoặc kết quả của tôi) bằng /edit và yêu cầu của bạn.",
    "too_many_images": "Mô hình này nhận tối đa {limit} ảnh; bạn đã gửi {count}.",
    "images_trimmed": "Mô hình này nhận tối đa {limit} ảnh: tôi dùng {limit} ảnh đầu trong "
                      "số {count} ảnh bạn gửi.",
    "one_at_a_time": "Xin từng yêu cầu một: các yêu cầu trước của bạn vẫn đang chạy. "
                     "Yêu cầu này không bị trừ lượt.",
    "image_too_large": "Ảnh quá lớn ({size_mb} MB); giới hạn là {limit_mb} MB.",
    "not_an_image": "Tệp này không phải ảnh tôi đọc được. Hãy gửi JPEG, PNG, WebP hoặc GIF.",
    "unreadable_image": "Ảnh có vẻ bị hỏng: tôi không đọc được.",
    "fetch_failed": "Tôi không tải được ảnh đó. Vui lòng gửi lại; bạn không bị trừ lượt.",
    "image_expired": "Ảnh đó không còn trên Discord (liên kết hết hạn sau một ngày). Hãy gửi "
                     "lại bằng /edit; bạn không bị trừ lượt.",
    "references_too_large": "Các ảnh của bạn cộng lại quá lớn với mô hình ({size_mb} MB dù đã "
                            "thu nhỏ; giới hạn là {limit_mb} MB). Hãy gửi ít ảnh hơn hoặc ảnh "
                            "nhỏ hơn; bạn không bị trừ lượt.",
    "album_privacy": "Trong nhóm này tôi chỉ thấy ảnh có kèm lệnh, không thấy các ảnh còn lại "
                     "của album (chế độ riêng tư của bot trên Telegram). Để sửa nhiều ảnh cùng "
                     "lúc, hãy gửi album cho tôi trong tin nhắn riêng, hoặc nhờ quản trị viên "
                     "đặt tôi làm quản trị viên ở đây. Bạn không bị trừ lượt.",
    "too_many_pixels": "Ảnh có quá nhiều điểm ảnh; giới hạn là {limit_mp} megapixel.",
    "cannot_fit_output": "Kết quả quá lớn để gửi ở đây.",
    "bad_output_ratio": "Không thể gửi kết quả có hình dạng này ở đây.",
    "quota_exceeded": "Bạn đã dùng hết {limit} lượt hôm nay. Lượt mới có lúc {resets_at}.",
    "scope_budget_exceeded": "Nhóm này đã dùng hết {limit} lượt hôm nay. "
                             "Lượt mới có lúc {resets_at}.",
    "daily_ceiling_exceeded": "Bạn đã dùng hết {limit} lượt hôm nay trên mọi cuộc trò chuyện. "
                              "Lượt mới có lúc {resets_at}.",
    "ledger_unavailable": "Đã có lỗi phía tôi. Bạn không bị trừ lượt; vui lòng thử lại sau "
                          "ít phút.",
    "ledger_not_empty": "Cơ sở dữ liệu đích đã có sổ lượt.",
    "refused": "Mô hình đã từ chối yêu cầu này ({reason_text}). Bạn không bị trừ lượt.",
    "reason_safety": "bộ lọc an toàn của mô hình chặn lại; hãy thử diễn đạt khác",
    "reason_no_image": "mô hình trả lời mà không có ảnh; hãy thử diễn đạt khác",
    "reason_other": "lý do: {reason}",
    "upstream_busy": "Dịch vụ tạo ảnh đang bận. Vui lòng thử lại sau một phút; "
                     "bạn không bị trừ lượt.",
    "upstream_unavailable": "Dịch vụ tạo ảnh hiện không phản hồi. Vui lòng thử lại sau; "
                            "bạn không bị trừ lượt.",
    "upstream_unreachable": "Tôi không kết nối được dịch vụ tạo ảnh. Vui lòng thử lại sau; "
                            "bạn không bị trừ lượt.",
    "upstream_timeout": "Dịch vụ tạo ảnh phản hồi quá lâu. Vui lòng thử lại; "
                        "bạn không bị trừ lượt.",
    "upstream_daily_quota": "Bot đã dùng hết hạn mức tạo ảnh hôm nay. Vui lòng thử lại vào "
                            "ngày mai; bạn không bị trừ lượt.",
    "upstream_malformed": "Dịch vụ tạo ảnh trả về dữ liệu không dùng được. Vui lòng thử lại; "
                          "bạn không bị trừ lượt.",
    "upstream_auth": "Bot chưa được cấu hình đúng (khóa bị từ chối). Người vận hành đã được "
                     "báo; bạn không bị trừ lượt.",
    "upstream_billing": "Tài khoản tạo ảnh của bot cần được kiểm tra. Bạn không bị trừ lượt.",
    "upstream_model": "Mô hình tạo ảnh của bot hiện không khả dụng. Bạn không bị trừ lượt.",
    "upstream_bad_request": "Dịch vụ tạo ảnh không nhận yêu cầu này (có thể ảnh quá lớn hoặc "
                            "bất thường). Bạn không bị trừ lượt.",
    "upstream_failed": "Dịch vụ tạo ảnh gặp lỗi. Vui lòng thử lại sau; bạn không bị trừ lượt.",
    "delivery_failed": "Tôi đã tạo ảnh nhưng không gửi được ở đây. Bạn không bị trừ lượt.",
    "error": "Đã có lỗi xảy ra. Bạn không bị trừ lượt.",
    "config": "Bot chưa được cấu hình đúng. Bạn không bị trừ lượt.",
    "queued": "Đang chờ: thứ {position} trong hàng…",
    "working": "Đang xử lý…",
    "delivering": "Đang gửi…",
    "credits_left": "còn {left} lượt hôm nay",
    "credits_unlimited": "không giới hạn lượt",
    "demo_model_note": "Mô hình demo: đặt GEMINI_API_KEY để sửa ảnh thật.",
    "demo_beside_note": (
        "Mô hình demo: khung chat cục bộ chạy bên cạnh bot thật không sửa ảnh thật."),
    "ratio_note": "Lưu ý: ảnh trả về có tỉ lệ khác với yêu cầu.",
    "resumed": "Đây là ảnh bạn đã yêu cầu trước khi tôi khởi động lại.",
    "interrupted_delivery": "Tôi đã khởi động lại trong lúc gửi ảnh của bạn. Nếu chưa nhận "
                            "được, vui lòng gửi lại; bạn không bị trừ lượt.",
    "abandoned": "Tôi đã khởi động lại trước khi xong ảnh của bạn và không thể làm tiếp. "
                 "Bạn không bị trừ lượt; vui lòng gửi lại.",
    "start": "Chào {name}! Tôi sửa ảnh bằng Gemini: gửi ảnh kèm điều cần đổi, ví dụ "
             "9:16 thêm một con lạc đà (trong nhóm: /edit 9:16 thêm một con lạc đà). "
             "Xem /help để biết thêm.",
    "help": "Gửi ảnh kèm chú thích là điều cần đổi (trong nhóm: /edit [TỈ LỆ] [CỠ] YÊU "
            "CẦU); trả lời kết quả của tôi để sửa tiếp (/edit new ... để bắt đầu lại).\n"
            "/imagine [TỈ LỆ] [CỠ] YÊU CẦU: tạo ảnh mới. TỈ LỆ: {ratios}. CỠ: {sizes}.\n"
            "Tối đa {max_images} ảnh mỗi lần sửa; mỗi lần {cost}, 4K {cost_4k}.\n"
            "Ví dụ: 9:16 2K biến thành tranh màu nước\n"
            "/quota: số lượt của bạn hôm nay.",
    "help_moderators": "Quản trị viên: /setlimit N (trả lời một thành viên), /setlimit reset "
                       "(trả lời), /setlimit all N (lượt mỗi ngày của mọi người), /setlimit "
                       "total N (ngân sách ngày của nhóm; /setlimit total reset để bỏ), /usage.",
    "quota_status": "Còn {left} lượt ở đây, còn {day_left} lượt hôm nay ở mọi nơi. Đã dùng ở "
                    "đây hôm nay: {used}. Lượt mới có lúc {resets_at}.",
    "quota_reserved": "Đang giữ cho ảnh đang làm: {reserved}.",
    "quota_unlimited": "Bạn không bị giới hạn lượt. Đã dùng hôm nay: {used}.",
    "quota_budget": "Nhóm này: đã dùng {total}/{budget} lượt hôm nay.",
    "not_moderator": "Chỉ quản trị viên của nhóm mới làm được việc này.",
    "groups_only": "Lệnh này chỉ dùng trong nhóm.",
    "setlimit_usage": "Cách dùng: trả lời một thành viên bằng /setlimit N hoặc /setlimit reset; "
                      "/setlimit all N cho mọi người; /setlimit total N cho ngân sách ngày của "
                      "nhóm (/setlimit total reset để bỏ). N là số nguyên, 0 là chặn.",
    "bad_limit": "Giới hạn là một số nguyên lượt từ 0 (chặn) đến {limit}, hoặc reset.",
    "limit_usage_discord": "Cách dùng: /limit member @thành_viên N (hoặc reset), /limit default "
                           "N cho mọi người, /limit total N cho ngân sách ngày của máy chủ (hoặc "
                           "reset), /limit show. N là số nguyên, 0 là chặn.",
    "limit_member_set": "{name} giờ được dùng {value} lượt mỗi ngày ở đây.",
    "limit_member_reset": "{name} trở về giới hạn mặc định của nhóm.",
    "limit_default_set": "Mọi người ở đây giờ được dùng {value} lượt mỗi ngày.",
    "limit_default_reset": "Trở về mặc định của bot: {value} lượt mỗi ngày.",
    "limit_total_set": "Nhóm này giờ được dùng tổng cộng {value} lượt mỗi ngày.",
    "limit_total_reset": "Nhóm này không còn ngân sách ngày.",
    "limits_show": "Giới hạn ở đây: {default} lượt mỗi người mỗi ngày; ngân sách nhóm: {total}; "
                   "thành viên được đặt riêng: {members}.",
    "none": "không có",
    "usage_header": "Lượt đã dùng hôm nay ({day}):",
    "usage_total": "Tổng: {total}",
    "usage_total_budget": "Tổng: {total}/{budget}",
    "usage_more": "… và {count} người khác",
    "usage_empty": "Hôm nay chưa ai dùng lượt nào ở đây.",
    "button_again": "🔁 Làm lại ({cost})",
    "button_4k": "4K ({cost})",
    "not_your_button": "Chỉ người đã yêu cầu ảnh này mới dùng được các nút này.",
    "button_started": "Đang làm!",
    "job_gone": "Tôi không thể làm lại ảnh đó nữa; vui lòng gửi lại.",
    "full_resolution": "Độ phân giải đầy đủ: {width}×{height}",
    "cmd_edit": "Sửa ảnh: [tỉ lệ] [cỡ] yêu cầu",
    "cmd_imagine": "Tạo ảnh: [tỉ lệ] [cỡ] yêu cầu",
    "cmd_quota": "Số lượt của bạn hôm nay",
    "cmd_help": "Cách dùng bot",
    "cmd_setlimit": "Đặt giới hạn ngày (quản trị viên)",
    "cmd_usage": "Lượt dùng hôm nay (quản trị viên)",
    "duplicate": "Tôi đang xử lý yêu cầu đó rồi.",
    "upstream_retry_too_late": "Dịch vụ tạo ảnh đang quá tải và yêu cầu chờ lâu hơn mức tôi "
                               "có thể chờ. Vui lòng thử lại sau; bạn không bị trừ lượt.",
    "no_image_discord": "Hãy đính kèm ảnh: dùng /edit với tùy chọn image, hoặc nhấp chuột phải "
                        "vào tin nhắn có ảnh -> Apps -> Edit image, hoặc nhắc đến tôi trong tin "
                        "nhắn có ảnh (hoặc trả lời tin nhắn có ảnh).",
    "modal_title": "Sửa ảnh",
    "modal_prompt": "Cần thay đổi gì?",
    "modal_ratio": "Tỉ lệ khung hình (tùy chọn)",
    "modal_size": "Kích thước (tùy chọn)",
    "cmd_limit": "Giới hạn lượt mỗi ngày ở đây (quản trị viên)",
    "late_result": "{mention} đây là ảnh của bạn (mất lâu hơn thời gian Discord chờ).",
    "button_variations": "🎲 Biến thể ({cost})",
    "credits_one": "{n} lượt",
    "credits_few": "{n} lượt",
    "credits_many": "{n} lượt",
    "ask_prompt": "Bạn muốn đổi gì?",
    "ask_placeholder": "ví dụ: thêm một con lạc đà",
    # inline mode and /history
    "inline_title": "Sửa: {prompt}",
    "inline_result": "{credits} · kết quả của bạn: {prompt}",
    "inline_sent": "{credits} · ảnh bạn đã gửi",
    "inline_type": "Hãy gõ điều cần đổi, ví dụ: 9:16 thêm một chiếc mũ",
    "inline_bad": "Tôi chưa hiểu yêu cầu đó: chạm để xem hướng dẫn",
    "inline_none": "Chưa có ảnh gần đây: hãy gửi tôi một ảnh trước",
    "inline_working": "Đang sửa: {prompt}…",
    "inline_button": "Sửa ảnh cùng tôi",
    "inline_start_first": "Tôi chưa thể gửi riêng kết quả cho bạn: hãy mở trò chuyện với tôi, bấm"
                          " Start, rồi chọn lại. Bạn chưa bị trừ gì.",
    "history_title": "Các kết quả gần đây của bạn, mới nhất trước:",
    "history_empty": "Chưa có kết quả nào: hãy gửi tôi một ảnh kèm điều cần đổi.",
    "button_edit_again": "Sửa lại #{n}",
    "cmd_history": "Kết quả gần đây của bạn",
    "offer_generate": "Tôi tạo một ảnh mới từ câu này nhé? (Muốn sửa ảnh thì gửi ảnh kèm điều "
                      "cần đổi.)",
    "button_generate": "Tạo ảnh - {credits}",
    "unknown_command": "Tôi không biết lệnh /{name}. Hãy gửi ảnh kèm điều cần đổi, hoặc xem "
                       "/help.",
    "did_you_mean": "Ý bạn là {value}? (Tôi đọc được “{token}”.) Chưa trừ lượt nào.",
    "button_yes": "✅ {value} - {credits}",
    "button_as_typed": "Giữ nguyên - {credits}",
    "offer_gone": "Câu hỏi này đã hết hạn; vui lòng gửi lại yêu cầu.",
    # vận hành: ngân sách hằng ngày và /stats (người vận hành)
    "budget_reached": "Bot đã dùng hết ngân sách hôm nay; ngân sách mới có lúc {resets_at}. "
                      "Bạn không bị trừ lượt nào.",
    "budget_alert_80": "editbot: chi phí ước tính hôm nay là ${spent}, {percent}% ngân sách "
                       "hằng ngày ${budget}.",
    "budget_alert_100": "editbot: chi phí ước tính hôm nay là ${spent}, {percent}% ngân sách "
                        "hằng ngày ${budget}. Yêu cầu mới bị từ chối đến {resets_at}.",
    "monthly_budget_reached": "Bot đã dùng hết ngân sách tháng này; ngân sách mới có vào "
                              "{resets_on} lúc {resets_at}. Bạn không bị trừ lượt nào.",
    "monthly_budget_alert_80": "editbot: chi phí ước tính tháng này là ${spent}, {percent}% "
                               "ngân sách hằng tháng ${budget}.",
    "monthly_budget_alert_100": "editbot: chi phí ước tính tháng này là ${spent}, {percent}% "
                                "ngân sách hằng tháng ${budget}. Yêu cầu mới bị từ chối đến "
                                "{resets_on} {resets_at}.",
    "not_operator": "Chỉ người vận hành bot mới làm được việc này.",
    "cmd_stats": "Lượt dùng, chi phí và lỗi (người vận hành)",
    "stats_header": "Thống kê cho {model}",
    "stats_today": "Hôm nay ({day})",
    "stats_week": "7 ngày qua ({first} đến {last})",
    "stats_outcomes": "Ảnh: {delivered} đã gửi, {refused} bị từ chối, {failed} lỗi, "
                      "{running} đang làm",
    "stats_spend": "Chi phí ước tính: ${spend}",
    "stats_spend_budget": "Chi phí ước tính: ${spend} trên ${budget} mỗi ngày",
    "stats_month": "Tháng này: chi phí ước tính ${spend}",
    "stats_month_budget": "Tháng này: chi phí ước tính ${spend} trên ${budget}",
    "stats_quality": "Tỉ lệ lỗi: {failure_rate}; thời gian ra ảnh: p50 {p50}, p95 {p95}",
    "stats_top": "Nhóm và máy chủ chi nhiều nhất: {top}",
    # credits people buy (only with payments on)
    "cmd_buy": "Mua lượt không bị đặt lại mỗi ngày",
    "cmd_paysupport": "Hỗ trợ thanh toán",
    "cmd_terms": "Điều khoản bán hàng",
    "pay_private": "Hãy gửi /buy cho tôi trong cuộc trò chuyện riêng để mua lượt.",
    "pay_packs": "Lượt đã mua không bị đặt lại mỗi ngày: lượt miễn phí được dùng trước. "
                 "Chọn một gói:",
    "pay_title": "{credits} lượt",
    "pay_description": "{credits} lượt chỉnh sửa với giá {stars} Telegram Stars. Không bị đặt "
                       "lại mỗi ngày.",
    "pay_off": "Hiện đang tắt thanh toán. Bạn chưa bị trừ gì.",
    "pay_gone": "Gói này không còn được bán. Bạn chưa bị trừ gì: gửi /buy để xem các gói hiện có.",
    "pay_thanks": "Cảm ơn bạn! Đã thêm {credits} lượt. Bạn có {balance} lượt đã mua.",
    "pay_refunded": "Khoản thanh toán của bạn đã được hoàn tiền, và {credits} lượt chưa "
                    "dùng đã bị thu lại.",
    "pay_pack": "{credits} lượt giá {stars} Stars",
    "refund_usage": "Gửi /refund CHARGE_ID (mã thanh toán trên biên nhận).",
    "refund_unknown": "Không có khoản thanh toán nào có mã đó.",
    "refund_done": "Đã hoàn tiền. Đã thu lại {credits} lượt chưa dùng.",
    "refund_failed": "Telegram từ chối hoàn tiền: {reason}",
    "paysupport": "Cần hỗ trợ về thanh toán, hãy liên hệ những người vận hành bot này.",
    "terms": "Lượt dùng để chỉnh sửa ảnh với bot này và không bị đặt lại mỗi ngày. "
             "Lượt chưa dùng có thể được hoàn tiền: xem /paysupport.",
    "quota_balance": "Lượt đã mua: {balance} (không bị đặt lại mỗi ngày).",
    "quota_buy": "Mua thêm trong cuộc trò chuyện riêng với tôi: /buy ({packs}).",
    "quota_buy_discord": "Hoặc mua lượt bằng một nút bên dưới; chúng không bị đặt lại mỗi ngày.",
    "help_buy": "Hết lượt? /buy thêm trong cuộc trò chuyện riêng (không bị đặt lại mỗi "
                "ngày). /terms, /paysupport.",
    "stats_sales": "Bán hàng: {stars} Stars cho {credits} lượt ({purchases} lần mua), "
                   "{refunds} lần hoàn tiền; doanh thu ước tính ${revenue}",
    "stats_sent_privately": "Tôi đã gửi số liệu cho bạn trong cuộc trò chuyện riêng.",
    "stats_start_privately": "Tôi chưa thể nhắn riêng cho bạn: hãy mở cuộc trò chuyện riêng với "
                             "@{bot}, bấm Bắt đầu, rồi gửi lại /stats.",
    "stats_not_sent": "Không gửi riêng được số liệu cho bạn; vui lòng thử lại sau giây lát.",
    # a queued job: its likely wait, and calling it off
    "queued_wait": "Đang chờ: thứ {position} trong hàng, khoảng {wait}…",
    "wait_s": "{n} giây",
    "wait_min": "{n} phút",
    "cancel_button": "Hủy",
    "cancelled": "Đã hủy trước khi gửi cho mô hình: đã hoàn {credits}, không tính phí.",
    "cancel_too_late": "Quá muộn: yêu cầu đã được gửi cho mô hình và bị tính phí.",
    "cancel_not_yours": "Chỉ người gửi yêu cầu hoặc người kiểm duyệt ở đây mới hủy được.",
    "cancel_not_yet": "Chờ một chút: yêu cầu vẫn đang được nhận. Hãy thử lại sau giây lát.",
    "cancel_ended": "Yêu cầu này đã kết thúc.",
    "cancel_unavailable": "Hiện không hủy được. Hãy thử lại sau giây lát.",
}
