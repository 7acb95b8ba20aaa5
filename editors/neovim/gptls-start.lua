-- gptls for Neovim 0.8-0.10 (vim.lsp.start). Put this in init.lua.
-- The API key comes from the environment Neovim starts in: export OPENAI_API_KEY=sk-...
vim.api.nvim_create_autocmd("FileType", {
  pattern = { "python", "javascript", "typescript", "go", "rust", "java", "c", "cpp", "lua", "ruby" },
  callback = function(args)
    vim.lsp.start({
      name = "gptls",
      cmd = { "gptls" },
      -- vim.fs.find exists since 0.8 (vim.fs.root only since 0.10)
      -- cmd_env = { OPENAI_BASE_URL = "http://localhost:4000/v1" },  -- protected settings: the environment
      root_dir = vim.fs.dirname(vim.fs.find({ ".git", "pyproject.toml", "package.json" }, {
        upward = true,
        path = vim.fs.dirname(vim.api.nvim_buf_get_name(args.buf)),
      })[1]) or vim.fn.getcwd(),
      init_options = { reasoningEffort = "low" },
      settings = { gptls = { reasoningEffort = "low", hover = "auto" } },
    })
  end,
})
-- Actions: cursor in a function (or a visual selection), then :lua vim.lsp.buf.code_action()
-- Hover: K on a function name shows its time and space complexity.
