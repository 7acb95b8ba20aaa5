-- gptls for Neovim 0.11+ (vim.lsp.config / vim.lsp.enable). Put this in init.lua.
-- The API key comes from the environment Neovim starts in: export OPENAI_API_KEY=sk-...
vim.lsp.config("gptls", {
  cmd = { "gptls" },
  filetypes = { "python", "javascript", "typescript", "go", "rust", "java", "c", "cpp", "lua", "ruby" },
  root_markers = { ".git", "pyproject.toml", "package.json", "go.mod", "Cargo.toml" },
  -- Protected settings (endpoint, store, sandbox...) go in the server's environment, from your own config:
  -- cmd_env = { OPENAI_BASE_URL = "http://localhost:4000/v1" },
  -- Sent as initializationOptions and answered to workspace/configuration (section "gptls").
  init_options = { reasoningEffort = "low" },
  settings = { gptls = { reasoningEffort = "low", hover = "auto" } },
  -- gptls then sends its rewrites (Suggest refactor, Edit as instructed...) for review: see the handler below.
  capabilities = vim.tbl_deep_extend("force", vim.lsp.protocol.make_client_capabilities(), {
    experimental = { gptls = { reviewEdits = true } },
    workspace = { workspaceEdit = { documentChanges = true } },  -- versioned edits (Neovim applies them)
  }),
  handlers = {
    -- Review before a rewrite lands: the diff in a split, the model's note, Apply or Discard.
    ["workspace/applyEdit"] = function(err, params, ctx)
      local note
      for _, annotation in pairs(params.edit.changeAnnotations or {}) do
        if annotation.needsConfirmation then note = annotation.label .. ": " .. (annotation.description or "") end
      end
      if not note then return vim.lsp.handlers["workspace/applyEdit"](err, params, ctx) end
      local encoding = vim.lsp.get_client_by_id(ctx.client_id).offset_encoding
      local diff = {}
      for _, change in ipairs(params.edit.documentChanges or {}) do
        local buf = vim.uri_to_bufnr(change.textDocument.uri)
        if not change.edits then return { applied = false, failureReason = "gptls reviews text edits only" } end
        vim.fn.bufload(buf)
        local before = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
        local copy = vim.api.nvim_create_buf(false, true)
        vim.api.nvim_buf_set_lines(copy, 0, -1, false, before)
        vim.lsp.util.apply_text_edits(change.edits, copy, encoding)
        local after = vim.api.nvim_buf_get_lines(copy, 0, -1, false)
        vim.api.nvim_buf_delete(copy, { force = true })
        table.insert(diff, vim.diff(table.concat(before, "\n") .. "\n", table.concat(after, "\n") .. "\n"))
      end
      vim.cmd("botright new")
      local view, win = vim.api.nvim_get_current_buf(), vim.api.nvim_get_current_win()
      vim.bo[view].buftype, vim.bo[view].bufhidden, vim.bo[view].filetype = "nofile", "wipe", "diff"
      vim.api.nvim_buf_set_lines(view, 0, -1, false, vim.split(table.concat(diff, "\n"), "\n", { trimempty = true }))
      vim.cmd("redraw")
      local choice = vim.fn.confirm(note, "&Apply\n&Discard", 2)
      vim.api.nvim_win_close(win, true)
      if choice ~= 1 then return { applied = false, failureReason = "you discarded it in the review" } end
      return vim.lsp.handlers["workspace/applyEdit"](err, params, ctx)
    end,
    -- A note after an edit on one line (no "Press ENTER"); errors whole, as they say what to do.
    ["window/showMessage"] = function(_, result)
      local text = result.message:gsub("%s+", " ")
      if result.type > vim.lsp.protocol.MessageType.Warning and #text >= vim.o.columns then
        text = text:sub(1, vim.o.columns - 13) .. "… (:messages)"
      end
      vim.api.nvim_echo({ { text } }, true, {})
    end,
  },
})
vim.lsp.enable("gptls")
-- While the model works: the action and what it is doing, in the command line (or use vim.lsp.status() in
-- your statusline).
vim.api.nvim_create_autocmd("LspProgress", {
  callback = function(event)
    local client = vim.lsp.get_client_by_id(event.data.client_id)
    local value = event.data.params.value
    if not client or client.name ~= "gptls" or type(value) ~= "table" then return end
    local text = value.kind == "begin" and value.title .. ": " .. (value.message or "")
      or value.kind == "end" and "done" or value.message or ""
    vim.api.nvim_echo({ { ("gptls: %s"):format(text):sub(1, vim.o.columns - 1) } }, value.kind == "begin", {})
  end,
})
-- Actions: cursor in a function (or a visual selection), then :lua vim.lsp.buf.code_action()
-- Hover: K on a function name shows its time and space complexity.
-- Fix the diagnostics on this line (from any source: pyflakes, ruff, tsc...). Neovim sends a server only the
-- diagnostics it published itself, so this passes every source's diagnostics for the line to gptls.
vim.keymap.set("n", "<leader>gf", function()
  local lnum = vim.api.nvim_win_get_cursor(0)[1] - 1
  vim.lsp.buf.code_action({
    context = { diagnostics = vim.lsp.diagnostic.from(vim.diagnostic.get(0, { lnum = lnum })), only = { "quickfix" } },
    filter = function(action) return action.title:find("^gptls: Fix") ~= nil end,
    apply = true,
  })
end, { desc = "gptls: fix the diagnostics on this line" })
-- Edit with an instruction: the function at the cursor rewritten as you say (a `# gptls: ...` comment above
-- it works too, as a code action).
vim.keymap.set("n", "<leader>gi", function()
  local client = vim.lsp.get_clients({ bufnr = 0, name = "gptls" })[1]
  if not client then return end
  local params = vim.lsp.util.make_range_params(0, client.offset_encoding)
  vim.ui.input({ prompt = "gptls: what should change? " }, function(instruction)
    if not instruction or instruction == "" then return end
    client:exec_cmd({ title = "gptls: Edit as instructed", command = "gptls.runAction", arguments = { {
      action = "instruct", uri = params.textDocument.uri, range = params.range, instruction = instruction,
    } } })
  end)
end, { desc = "gptls: edit with an instruction" })
-- Ask about the code at the cursor (or the visual selection): the answer in a floating window (q closes it);
-- <leader>gA asks a follow-up in the same conversation. <leader>gr refines the last edit gptls proposed here.
local conversation
local function answer_window(result)
  local lines = vim.split((result or {}).answer or (result or {}).error or "no answer", "\n")
  return vim.lsp.util.open_floating_preview(lines, "markdown", { border = "rounded", focus = false })
end
local function ask(arguments)
  local client = vim.lsp.get_clients({ bufnr = 0, name = "gptls" })[1]
  if not client then return end
  client:request("workspace/executeCommand", { command = "gptls.ask", arguments = { arguments } }, function(err, result)
    if err then result = { error = err.message } end
    conversation = (result or {}).conversation or conversation
    answer_window(result)
  end, 0)
end
vim.keymap.set({ "n", "x" }, "<leader>ga", function()
  local client = vim.lsp.get_clients({ bufnr = 0, name = "gptls" })[1]
  if not client then return end
  local params = vim.fn.mode():find("[vV]") and vim.lsp.util.make_given_range_params(nil, nil, 0, client.offset_encoding)
    or vim.lsp.util.make_range_params(0, client.offset_encoding)
  vim.ui.input({ prompt = "gptls: your question? " }, function(question)
    if not question or question == "" then return end
    ask({ textDocument = params.textDocument, range = params.range, question = question })
  end)
end, { desc = "gptls: ask about this code" })
vim.keymap.set("n", "<leader>gA", function()
  if not conversation then return vim.notify("gptls: ask a question first (<leader>ga)") end
  vim.ui.input({ prompt = "gptls: follow-up? " }, function(question)
    if question and question ~= "" then ask({ conversation = conversation, question = question }) end
  end)
end, { desc = "gptls: ask a follow-up" })
vim.keymap.set("n", "<leader>gr", function()
  local client = vim.lsp.get_clients({ bufnr = 0, name = "gptls" })[1]
  if not client then return end
  vim.ui.input({ prompt = "gptls: refine the last proposal how? " }, function(instruction)
    if not instruction or instruction == "" then return end
    client:exec_cmd({ title = "gptls: Refine", command = "gptls.refine", arguments = { {
      textDocument = { uri = vim.uri_from_bufnr(0) }, instruction = instruction,
    } } })
  end)
end, { desc = "gptls: refine the last proposed edit" })
-- Ghost text (Neovim 0.12+): inline completions as you type, <Tab> accepts.
if vim.lsp.inline_completion then
  vim.lsp.inline_completion.enable()
  vim.keymap.set("i", "<Tab>", function()
    if not vim.lsp.inline_completion.get() then return "<Tab>" end
  end, { expr = true, desc = "accept the inline completion" })
end
