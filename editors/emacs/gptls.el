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
;; Ask about the code: M-x gptls-ask (the region, or the function at point), M-x gptls-ask-follow-up; the answer
;; shows in the *gptls answer* buffer. M-x gptls-refine rewrites the last edit gptls proposed here as you say.
(defvar gptls--conversation nil)
(defun gptls--command (command argument)
  (jsonrpc-request (eglot--current-server-or-lose) :workspace/executeCommand
                   (list :command command :arguments (vector argument)) :timeout 300))
(defun gptls--show (result)
  (setq gptls--conversation (or (plist-get result :conversation) gptls--conversation))
  (with-current-buffer (get-buffer-create "*gptls answer*")
    (let ((inhibit-read-only t))
      (erase-buffer)
      (insert (or (plist-get result :answer) (plist-get result :error) "no answer")))
    (special-mode))
  (display-buffer "*gptls answer*"))
(defun gptls-ask (question)
  (interactive "sgptls, your question: ")
  (let ((beg (if (use-region-p) (region-beginning) (point))) (end (if (use-region-p) (region-end) (point))))
    (gptls--show (gptls--command "gptls.ask"
                                 (list :textDocument (list :uri (eglot--path-to-uri buffer-file-name))
                                       :range (list :start (eglot--pos-to-lsp-position beg)
                                                    :end (eglot--pos-to-lsp-position end))
                                       :question question)))))
(defun gptls-ask-follow-up (question)
  (interactive "sgptls, your follow-up: ")
  (gptls--show (gptls--command "gptls.ask" (list :conversation gptls--conversation :question question))))
(defun gptls-refine (instruction)
  (interactive "sgptls, refine the last proposal how: ")
  (gptls--command "gptls.refine" (list :textDocument (list :uri (eglot--path-to-uri buffer-file-name))
                                       :instruction instruction)))
