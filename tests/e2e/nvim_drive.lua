-- Drives a real headless Neovim through one scenario, then writes the buffer and a JSON report.
-- The scenario comes from $GPTLS_SCENARIO (JSON): {kind, line, col, title, out}
local scenario = vim.json.decode(os.getenv("GPTLS_SCENARIO"))
local report = { messages = {}, hover = nil, attached = false, errors = {} }

-- What the server showed the user: Neovim echoes window/showMessage into :messages.
local function messages()
  local lines = vim.split(vim.api.nvim_exec2("messages", { output = true }).output, "\n", { trimempty = true })
  report.messages = lines
  return lines
end

local function finish()
  -- Save every buffer, as `:wall ++p` would: an action may have created a file in a new directory.
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    local name = vim.api.nvim_buf_get_name(buf)
    if name ~= "" and vim.bo[buf].modified then vim.fn.mkdir(vim.fs.dirname(name), "p") end
  end
  pcall(vim.cmd, "silent! wall")
  messages()
  local file = io.open(scenario.out, "w")
  file:write(vim.json.encode(report))
  file:close()
  vim.cmd("qall!")
end

local function client()
  return vim.lsp.get_clients({ name = "gptls", bufnr = 0 })[1]
end

local function run()
  report.attached = vim.wait(15000, function() return client() ~= nil and client().initialized end, 20)
  if not report.attached then
    table.insert(report.errors, "gptls never attached")
    return
  end

  vim.api.nvim_win_set_cursor(0, { scenario.line, scenario.col })
  -- The snippet's review asks with vim.fn.confirm: the user answers scenario.answer (1 Apply, the default;
  -- 2 Discard), and what the review showed is reported (its message, the diff window's lines).
  vim.fn.confirm = function(message, _choices, _default)
    report.review = { message = message, diff = vim.api.nvim_buf_get_lines(0, 0, -1, false),
      filetype = vim.bo.filetype }
    return scenario.answer or 1
  end

  if scenario.kind == "fix" then
    -- A diagnostic from another source (as pyflakes through any plugin would set it), then the quickfix.
    local d = scenario.diagnostic
    local ns = vim.api.nvim_create_namespace("other-linter")
    vim.diagnostic.set(ns, 0, {
      { lnum = d.line, col = d.col, end_col = d.end_col, message = d.message, source = d.source, code = d.code,
        severity = vim.diagnostic.severity.ERROR },
    })
    -- Press the README snippet's own mapping.
    local tick = vim.b.changedtick
    vim.fn.maparg("<leader>gf", "n", false, true).callback()
    local changed = vim.wait(20000, function() return vim.b.changedtick ~= tick end, 20)
    if not changed then table.insert(report.errors, "the buffer never changed") end
    return
  end

  if scenario.kind == "instruct" then
    -- The README snippet's mapping; the user types the instruction into vim.ui.input.
    vim.ui.input = function(_opts, on_confirm) on_confirm(scenario.instruction) end
    local tick = vim.b.changedtick
    vim.fn.maparg("<leader>gi", "n", false, true).callback()
    local changed = vim.wait(20000, function() return vim.b.changedtick ~= tick end, 20)
    if not changed then table.insert(report.errors, "the buffer never changed") end
    return
  end

  if scenario.kind == "ask" then
    -- The snippet's mappings: ask (the user types the question), then a follow-up; each answer in a float.
    local function floated(expected)
      return vim.wait(20000, function()
        for _, win in ipairs(vim.api.nvim_list_wins()) do
          if vim.api.nvim_win_get_config(win).relative ~= "" then
            local text = table.concat(vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(win), 0, -1, false), "\n")
            if text:find(expected, 1, true) then
              report.float = text
              return true
            end
          end
        end
        return false
      end, 20)
    end
    vim.ui.input = function(_opts, on_confirm) on_confirm(scenario.question) end
    vim.fn.maparg("<leader>ga", "n", false, true).callback()
    if not floated(scenario.expect) then table.insert(report.errors, "no answer was shown") return end
    vim.ui.input = function(_opts, on_confirm) on_confirm(scenario.follow_up) end
    vim.fn.maparg("<leader>gA", "n", false, true).callback()
    if not floated(scenario.expect_follow_up) then table.insert(report.errors, "no follow-up answer was shown") end
    return
  end

  if scenario.kind == "review" then
    local tick = vim.b.changedtick
    vim.lsp.buf.code_action({ apply = true, filter = function(action) return action.title == scenario.title end })
    if not vim.wait(20000, function() return report.review ~= nil end, 20) then
      table.insert(report.errors, "no review was asked")
    elseif scenario.answer == 1 and not vim.wait(20000, function() return vim.b.changedtick ~= tick end, 20) then
      table.insert(report.errors, "the buffer never changed")
    end
    return
  end

  if scenario.kind == "other-file" then
    -- The action edits (or creates) another file: wait until a buffer for it holds text.
    vim.lsp.buf.code_action({
      apply = true,
      filter = function(action) return action.title == scenario.title end,
    })
    local made = vim.wait(20000, function()
      local buf = vim.fn.bufnr(scenario.file)
      return buf ~= -1 and table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), "\n") ~= ""
    end, 20)
    if not made then table.insert(report.errors, "the other file never got text") end
    return
  end

  if scenario.kind == "action" then
    local tick = vim.b.changedtick
    vim.lsp.buf.code_action({
      apply = true,
      filter = function(action) return action.title == scenario.title end,
    })
    local changed = vim.wait(20000, function() return vim.b.changedtick ~= tick end, 20)
    if not changed then table.insert(report.errors, "the buffer never changed") end
  elseif scenario.kind == "explain" then
    vim.lsp.buf.code_action({
      apply = true,
      filter = function(action) return action.title == scenario.title end,
    })
    -- A message other than the snippet's progress line ("gptls: <title>: asking the model…").
    local shown = vim.wait(20000, function()
      for _, line in ipairs(messages()) do
        if not line:find("^gptls: ") then return true end
      end
      return false
    end, 20)
    if not shown then table.insert(report.errors, "no message was shown") end
  elseif scenario.kind == "hover" then
    vim.lsp.buf.hover()
    local float
    vim.wait(20000, function()
      for _, win in ipairs(vim.api.nvim_list_wins()) do
        if vim.api.nvim_win_get_config(win).relative ~= "" then
          float = win
          return true
        end
      end
      return false
    end, 20)
    if float then
      report.hover = table.concat(vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(float), 0, -1, false), "\n")
    else
      table.insert(report.errors, "no hover window opened")
    end
  end
end

local ok, err = pcall(run)
if not ok then table.insert(report.errors, tostring(err)) end
finish()
