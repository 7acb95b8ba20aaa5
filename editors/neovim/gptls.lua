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
})
vim.lsp.enable("gptls")
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
-- Ghost text (Neovim 0.12+): inline completions as you type, <Tab> accepts.
if vim.lsp.inline_completion then
  vim.lsp.inline_completion.enable()
  vim.keymap.set("i", "<Tab>", function()
    if not vim.lsp.inline_completion.get() then return "<Tab>" end
  end, { expr = true, desc = "accept the inline completion" })
end
