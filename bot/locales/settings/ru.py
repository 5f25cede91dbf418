"""Russian texts of community settings."""

from collections.abc import Mapping

RU: Mapping[str, str] = {
    "imagine_off": "Модераторы этой группы выключили /imagine. Ничего не списано.",
    "size_off": "Модераторы здесь не разрешают изображения {value}. Разрешённые размеры: "
                "{valid}. Ничего не списано.",
    "word_blocked": "В этом запросе есть слово, которое модераторы группы заблокировали. "
                    "Ничего не списано.",
    "slow_mode": "Здесь включён медленный режим: подождите {seconds} с до следующего запроса. "
                 "Ничего не списано.",
    "size_last": "Хотя бы один размер должен остаться разрешённым.",
    "slow_bad": "Медленный режим — целое число секунд от 0 (выключен) до {limit}.",
    "words_bad": "Укажите слова или фразы через запятую, не длиннее {limit} символов каждая.",
    "words_too_many": "Группа может заблокировать не больше {limit} слов.",
    "words_now": "Сохранено. Заблокированных слов здесь: {total}.",
    "slow_now": "Сохранено. Медленный режим: {value}.",
    "log_now": "Сохранено. Теперь каждая правка здесь записывается в {channel}.",
    "log_stopped": "Сохранено. Журнал выключен.",
    "log_cannot_post": "Я не могу писать в {channel}, поэтому ничего не изменилось. Добавьте "
                       "меня туда (в канал — администратором с правом публикации) и "
                       "попробуйте снова.",
    "log_hello": "С этого момента правки из {group} записываются сюда.",
    "settings_saved": "Сохранено.",
    "settings_panel": "Настройки этой группы (модераторы меняют нажатием)\n"
                      "Разрешённые размеры: {sizes}\n/imagine: {imagine}\n"
                      "Безопасность: {safety}\nЗаблокированные слова: {words}\n"
                      "Результаты под спойлером: {spoiler}\nМедленный режим: {slow}\n"
                      "Журнал: {log}",
    "settings_usage_telegram": "Заблокированные слова: /settings block слово1, слово2 и "
                               "/settings unblock слово1. Медленный режим: /settings slow N "
                               "(секунды). Журнал: /settings log и id или @имя чата или ответом "
                               "на пересланный оттуда пост (я должен иметь право писать туда), "
                               "/settings log off — выключить.",
    "settings_usage_discord": "Заблокированные слова: /settings с block: слово1, слово2 или "
                              "unblock: слово1. Канал журнала выберите ниже.",
    "help_settings": "/settings: размеры, /imagine, уровень безопасности, заблокированные "
                     "слова, спойлеры, медленный режим и журнал группы.",
    "state_on": "вкл.",
    "state_off": "выкл.",
    "safety_strict": "строгий",
    "safety_standard": "обычный",
    "safety_relaxed": "мягкий",
    "seconds": "{seconds} с",
    "log_none": "нет",
    "button_size": "{size}: {state}",
    "button_imagine": "/imagine: {state}",
    "button_safety": "Безопасность: {level}",
    "button_spoiler": "Спойлеры: {state}",
    "button_slow": "Медленный режим: {value}",
    "button_log_off": "Выключить журнал",
    "pick_log": "Канал журнала",
    "log_note": "{who}: /{kind} {prompt}\n{outcome} · {cost}",
    "log_delivered": "доставлено",
    "log_refused": "отклонено моделью",
    "log_failed": "не удалось",
    "log_other": "не выполнено",
    "cmd_settings": "Настройки группы (модераторы)",
    "unknown_safety": "Уровень безопасности — один из: {valid}.",
}
