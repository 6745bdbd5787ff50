"""The pages (chat demo, agent console, dashboard, admin): static HTML, JS modules and CSS served
by ``kefu.api.routes.pages``; third-party browser code is vendored by ``build_assets.sh``."""
