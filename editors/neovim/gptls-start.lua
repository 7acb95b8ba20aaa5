-- gptls for Neovim 0.8-0.10 (vim.lsp.start). Put this in init.lua.
-- The API key comes from the environment Neovim starts in: export OPENAI_API_KEY=sk-...
vim.api.nvim_create_autocmd("FileType", {
  pattern = { "python", "javascript", "typescript", "go", "rust", "java", "c", "cpp", "lua", "ruby" },
  callback = function(args)
    vim.lsp.start({
      name = "gptls",
      cmd = { "gptls" },
      root_dir = vim.fs.root(args.buf, { ".git", "pyproject.toml", "package.json" }) or vim.fn.getcwd(),
      init_options = { reasoningEffort = "low" },
      settings = { gptls = { reasoningEffort = "low", hover = "auto" } },
    })
  end,
})
-- Actions: cursor in a function (or a visual selection), then :lua vim.lsp.buf.code_action()
-- Hover: K on a function name shows its time and space complexity.
