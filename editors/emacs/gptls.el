;; gptls with Eglot (built into Emacs 29+; on Emacs 28: apt install elpa-eglot, or M-x package-install eglot).
;; The API key comes from the environment Emacs starts in: export OPENAI_API_KEY=sk-...
(require 'eglot)
(add-to-list 'eglot-server-programs
             '((python-mode python-ts-mode js-mode typescript-mode go-mode rust-mode c-mode c++-mode java-mode)
               . ("gptls")))
;; Answered to workspace/configuration (section "gptls").
(setq-default eglot-workspace-configuration '(:gptls (:reasoningEffort "low" :hover "auto")))
;; Protected settings (endpoint, store, sandbox...) are ignored there (a project's .dir-locals.el can set it):
;; put them in the server command's environment, e.g. ("env" "OPENAI_BASE_URL=http://localhost:4000/v1" "gptls"),
;; or in ~/.config/gptls/config.json.
(add-hook 'python-mode-hook #'eglot-ensure)
;; Actions: M-x eglot-code-actions (on a function or a region). Hover: eldoc at a function name.
