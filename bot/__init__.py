"""editbot: edit photos with Gemini image models from Telegram and Discord."""
