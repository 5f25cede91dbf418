"""Vietnamese texts of community settings."""

from collections.abc import Mapping

VI: Mapping[str, str] = {
    "imagine_off": "Quản trị viên của nhóm này đã tắt /imagine. Bạn không bị trừ gì.",
    "size_off": "Quản trị viên ở đây không cho phép ảnh {value}. Các kích thước được phép: "
                "{valid}. Bạn không bị trừ gì.",
    "word_blocked": "Yêu cầu đó có một từ mà quản trị viên của nhóm này đã chặn. Bạn không bị "
                    "trừ gì.",
    "slow_mode": "Chế độ chậm đang bật ở đây: hãy chờ {seconds} giây trước yêu cầu tiếp theo. "
                 "Bạn không bị trừ gì.",
    "size_last": "Phải giữ ít nhất một kích thước được phép.",
    "slow_bad": "Chế độ chậm là một số giây nguyên, từ 0 (tắt) đến {limit}.",
    "words_bad": "Hãy ghi các từ hoặc cụm từ cách nhau bằng dấu phẩy, mỗi cụm tối đa {limit} "
                 "ký tự.",
    "words_too_many": "Mỗi nhóm chặn được tối đa {limit} từ.",
    "words_now": "Đã lưu. Số từ bị chặn ở đây: {total}.",
    "slow_now": "Đã lưu. Chế độ chậm: {value}.",
    "log_now": "Đã lưu. Mọi lần chỉnh sửa ở đây giờ được ghi vào {channel}.",
    "log_stopped": "Đã lưu. Nhật ký đã tắt.",
    "log_cannot_post": "Tôi không thể đăng vào {channel}, nên không có gì thay đổi. Hãy thêm "
                       "tôi vào đó (trong kênh, với quyền quản trị được đăng bài) rồi thử lại.",
    "log_hello": "Từ giờ, các lần chỉnh sửa trong {group} được ghi lại ở đây.",
    "settings_saved": "Đã lưu.",
    "settings_panel": "Cài đặt của nhóm này (quản trị viên chạm để đổi)\n"
                      "Kích thước được phép: {sizes}\n/imagine: {imagine}\nAn toàn: {safety}\n"
                      "Từ bị chặn: {words}\nKết quả dạng spoiler: {spoiler}\n"
                      "Chế độ chậm: {slow}\nNhật ký: {log}",
    "settings_usage_telegram": "Từ bị chặn: /settings block từ1, từ2 và /settings unblock "
                               "từ1. Chế độ chậm: /settings slow N (giây). Nhật ký: /settings "
                               "log kèm id hoặc @tên của cuộc trò chuyện, hoặc trả lời một bài "
                               "được chuyển tiếp từ đó (tôi phải đăng được ở đó), /settings log "
                               "off để tắt.",
    "settings_usage_discord": "Từ bị chặn: /settings với block: từ1, từ2 hoặc unblock: từ1. "
                              "Chọn kênh nhật ký bên dưới.",
    "help_settings": "/settings: kích thước, /imagine, mức an toàn, từ bị chặn, spoiler, chế "
                     "độ chậm và nhật ký của nhóm.",
    "state_on": "bật",
    "state_off": "tắt",
    "safety_strict": "nghiêm ngặt",
    "safety_standard": "tiêu chuẩn",
    "safety_relaxed": "nới lỏng",
    "seconds": "{seconds} giây",
    "log_none": "không có",
    "button_size": "{size}: {state}",
    "button_imagine": "/imagine: {state}",
    "button_safety": "An toàn: {level}",
    "button_spoiler": "Spoiler: {state}",
    "button_slow": "Chế độ chậm: {value}",
    "button_log_off": "Tắt nhật ký",
    "pick_log": "Kênh nhật ký",
    "log_note": "{who}: /{kind} {prompt}\n{outcome} · {cost}",
    "log_delivered": "đã gửi",
    "log_refused": "bị mô hình từ chối",
    "log_failed": "thất bại",
    "log_other": "chưa thực hiện",
    "cmd_settings": "Cài đặt nhóm (quản trị viên)",
    "unknown_safety": "Mức an toàn là một trong: {valid}.",
}
