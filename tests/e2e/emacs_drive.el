;;; Drives Emacs + Eglot (batch mode) through one scenario, then saves the buffer and writes a report.
(require 'json)
(require 'cl-lib)
(let* ((scenario (json-read-from-string (getenv "GPTLS_SCENARIO")))
       (out (alist-get 'out scenario))
       (errors '())
       (answers '())
       (messages '()))
  ;; Eglot asks before applying an edit the server sends; answer yes, as the user would.
  (advice-add 'y-or-n-p :override (lambda (&rest _) t))
  (advice-add 'eglot--message :before (lambda (fmt &rest args) (push (apply #'format fmt args) messages)))
  (cl-flet ((wait-for (pred seconds)
              (let ((deadline (+ (float-time) seconds)))
                (while (and (not (funcall pred)) (< (float-time) deadline))
                  (accept-process-output nil 0.05))
                (funcall pred))))
    (condition-case err
        (progn
          ;; eglot-ensure (from the snippet) waits for an interactive command; in batch mode connect now.
          (apply #'eglot (eglot--guess-contact))
          (unless (wait-for (lambda () (eglot-current-server)) 20)
            (push "eglot never connected" errors))
          (goto-char (point-min))
          (forward-line (1- (alist-get 'line scenario)))
          (forward-char (alist-get 'col scenario))
          (if (equal (alist-get 'kind scenario) "ask")
              ;; The snippet's commands: a question, then a follow-up; the answers buffer holds each answer.
              (progn
                (gptls-ask (alist-get 'question scenario))
                (push (with-current-buffer "*gptls answer*" (buffer-string)) answers)
                (gptls-ask-follow-up (alist-get 'follow_up scenario))
                (push (with-current-buffer "*gptls answer*" (buffer-string)) answers))
            (let ((tick (buffer-modified-tick)))
              (eglot-code-actions (point) (point) (alist-get 'kind scenario) t)
              (unless (wait-for (lambda () (/= tick (buffer-modified-tick))) 20)
                (push "the buffer never changed" errors)))))
      (error (push (format "%S" err) errors)))
    (save-buffer)
    (with-temp-file out
      (insert (json-encode `((errors . ,(vconcat errors)) (messages . ,(vconcat messages))
                             (answers . ,(vconcat (reverse answers)))))))
    (kill-emacs 0)))
