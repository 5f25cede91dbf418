"""Platform adapters: convert what people send into EditRequests and render outcomes."""
