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
