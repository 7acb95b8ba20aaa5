;; gptls with Eglot (built into Emacs 29+; on Emacs 28: apt install elpa-eglot, or M-x package-install eglot).
;; The API key comes from the environment Emacs starts in: export OPENAI_API_KEY=sk-...
(require 'eglot)
(add-to-list 'eglot-server-programs
             '((python-mode python-ts-mode js-mode typescript-mode go-mode rust-mode c-mode c++-mode java-mode)
               . ("gptls")))
;; Answered to workspace/configuration (section "gptls").
(setq-default eglot-workspace-configuration '(:gptls (:reasoningEffort "low" :hover "auto")))
(add-hook 'python-mode-hook #'eglot-ensure)
;; Actions: M-x eglot-code-actions (on a function or a region). Hover: eldoc at a function name.
