"""User-facing texts, English and Vietnamese, keyed by message id (an error's ``code``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import EditbotError

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
    "image_too_large": "That image is too large ({size_mb} MB); the limit is {limit_mb} MB.",
    "not_an_image": "That file is not an image I can read. Send a JPEG, PNG, WebP or GIF.",
    "unreadable_image": "That image seems damaged: I could not read it.",
    "too_many_pixels": "That image has too many pixels; the limit is {limit_mp} megapixels.",
    "cannot_fit_output": "The result was too large to send here.",
    "bad_output_ratio": "The result's shape cannot be sent here.",
    # quota
    "quota_exceeded": "You have used your {limit} credits for today. More at {resets_at}.",
    "scope_budget_exceeded": "This group has used its {limit} credits for today. "
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
    "config": "The bot is not configured correctly. Nothing was charged.",
    # progress and results
    "queued": "Queued: #{position} in line…",
    "working": "Working on it…",
    "delivering": "Sending…",
    "credits_left": "{left} credits left today",
    "credits_unlimited": "unlimited credits",
    "ratio_note": "Note: the image came back at a different shape than asked.",
    "resumed": "Here is the edit you asked for before I restarted.",
    "abandoned": "I restarted before finishing your edit and could not pick it up again. "
                 "Nothing was charged; please send it again.",
}

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
    "image_too_large": "Ảnh quá lớn ({size_mb} MB); giới hạn là {limit_mb} MB.",
    "not_an_image": "Tệp này không phải ảnh tôi đọc được. Hãy gửi JPEG, PNG, WebP hoặc GIF.",
    "unreadable_image": "Ảnh có vẻ bị hỏng: tôi không đọc được.",
    "too_many_pixels": "Ảnh có quá nhiều điểm ảnh; giới hạn là {limit_mp} megapixel.",
    "cannot_fit_output": "Kết quả quá lớn để gửi ở đây.",
    "bad_output_ratio": "Không thể gửi kết quả có hình dạng này ở đây.",
    "quota_exceeded": "Bạn đã dùng hết {limit} lượt hôm nay. Lượt mới có lúc {resets_at}.",
    "scope_budget_exceeded": "Nhóm này đã dùng hết {limit} lượt hôm nay. "
                             "Lượt mới có lúc {resets_at}.",
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
    "ratio_note": "Lưu ý: ảnh trả về có tỉ lệ khác với yêu cầu.",
    "resumed": "Đây là ảnh bạn đã yêu cầu trước khi tôi khởi động lại.",
    "abandoned": "Tôi đã khởi động lại trước khi xong ảnh của bạn và không thể làm tiếp. "
                 "Bạn không bị trừ lượt; vui lòng gửi lại.",
}

CATALOGS: Mapping[str, Mapping[str, str]] = {"en": EN, "vi": VI}
_SAFETY = {"SAFETY", "IMAGE_SAFETY", "PROHIBITED_CONTENT", "IMAGE_PROHIBITED_CONTENT",
           "BLOCKLIST", "SPII"}


def language_of(code: str | None) -> str:
    """``vi``, ``vi-VN`` -> vi; anything else -> en."""
    return "vi" if code and code.lower().split("-")[0].split("_")[0] == "vi" else "en"


def text(message_id: str, language: str = "en", **params: Any) -> str:
    catalog = CATALOGS.get(language_of(language), EN)
    template = catalog.get(message_id) or EN.get(message_id) or EN["error"]
    return template.format_map(_Lenient(params))


def error_text(error: EditbotError, language: str = "en") -> str:
    """The words a user reads for an error."""
    params: dict[str, Any] = dict(error.params)
    if "valid" in params:
        params["valid"] = " ".join(params["valid"])
    if "size" in params:
        params["size_mb"] = f"{params['size'] / 1048576:.1f}"
    if "limit" in params and error.code == "image_too_large":
        params["limit_mb"] = params["limit"] // 1048576
    if error.code == "too_many_pixels":
        params["limit_mp"] = params.get("limit", 50_000_000) // 1_000_000
    if "resets_at" in params:
        params["resets_at"] = params["resets_at"].strftime("%H:%M %Z").strip()
    if "reason" in params:
        reason = str(params["reason"])
        key = ("reason_safety" if reason in _SAFETY
               else "reason_no_image" if reason == "NO_IMAGE" else "reason_other")
        params["reason_text"] = text(key, language, reason=reason)
    return text(error.code, language, **params)


class _Lenient(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
