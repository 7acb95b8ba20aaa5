// Drives a real VS Code (code-server) in Debian's headless Chromium: opens a stub, runs
// "gptls: Generate function" from the Refactor menu, waits for the implementation, saves, screenshots.
// Environment: CODE_SERVER_URL, WORKSPACE (a folder), FILE (name in it), LINE, EXPECT, SCREENSHOT; ACTION (the
// menu item, default "gptls: Generate function"); PREVIEW=1 when the edit must come through gptls' review (a
// diff and a message with Apply; NOTE: the model's note the message must show), which the driver applies.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

// HOVER=1: instead of an action, show the hover at LINE:COL and wait for EXPECT in it.
const { CODE_SERVER_URL, WORKSPACE, FILE, LINE, EXPECT, SCREENSHOT, PREVIEW, HOVER } = process.env;
const COL = process.env.COL ?? "5";
const ACTION = process.env.ACTION ?? "gptls: Generate function";
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
const step = (name) => console.log(`step: ${name}`);
/** Run a command from the palette (F1), as a user does: type its title, wait for the row, Enter. */
async function paletteCommand(title, row) {
  await page.keyboard.press("F1");
  await page.keyboard.type(title);
  await page.locator(".quick-input-list .monaco-list-row", { hasText: row }).first().waitFor({ timeout: 30_000 });
  await page.keyboard.press("Enter");
}
let failure;
try {
  step("open workspace");
  await page.goto(`${CODE_SERVER_URL}/?folder=${encodeURIComponent(WORKSPACE)}`);
  await page.waitForSelector(".monaco-workbench", { timeout: 90_000 });

  if (process.env.DEMO === "1") {
    step("no key: the error offers the demo; take it");
    const toast = page.locator(".notification-toast", { hasText: "no OpenAI API key" });
    await toast.first().waitFor({ timeout: 90_000 });
    await toast.first().getByRole("link", { name: "Try the Demo" }).click();
    step("the status bar says demo");
    await page.locator(".statusbar-item", { hasText: "gptls demo" }).locator(".codicon-beaker").first()
      .waitFor({ timeout: 90_000 });
    step("the no-key notification is withdrawn; the demo's own says how to stop it");
    await page.locator(".notification-toast", { hasText: "Stop the Demo" }).first().waitFor({ timeout: 30_000 });
    await toast.first().waitFor({ state: "detached", timeout: 30_000 });
    if (process.env.DEMO_SHOT) await page.screenshot({ path: process.env.DEMO_SHOT });
  } else {
    step("wait for gptls to be ready in the status bar");
    await page.locator(".statusbar-item", { hasText: "gptls" }).locator(".codicon-check").first()
      .waitFor({ timeout: 90_000 });
  }

  if (process.env.RESTART === "1") {
    step("gptls: Restart Server, as a user does after changing something");
    await page.locator(".monaco-workbench").click({ position: { x: 700, y: 450 } });
    await paletteCommand("gptls: Restart Server", "Restart Server");
    step("gptls: Show Log: the stop is logged as a success, not an error");
    await paletteCommand("gptls: Show Log", "Show Log");
    const log = page.locator(".part.panel .monaco-editor .view-lines");
    await page.waitForFunction(
      // The old server's exit is logged once the new one is starting.
      () => document.querySelector(".part.panel .monaco-editor .view-lines")?.textContent?.includes("exited"),
      null,
      { timeout: 30_000 },
    );
    const text = (await log.first().textContent())?.replace(/\u00a0/g, " ") ?? "";
    console.log(`log: ${text}`);
    if (process.env.SCREENSHOT) await page.screenshot({ path: process.env.SCREENSHOT });
    if (/exited with code|\[error\]/.test(text) || !text.includes("Server process exited successfully")) {
      throw new Error(`the restart was logged as an error: ${text}`);
    }
    throw "done";
  }

  step("open the file");
  await page.locator(".monaco-workbench").click({ position: { x: 700, y: 450 } });
  await page.keyboard.press("Control+P");
  await page.keyboard.type(FILE);
  await page.waitForSelector(".quick-input-list .monaco-list-row", { timeout: 30_000 });
  await page.keyboard.press("Enter");
  await page.waitForSelector(".monaco-editor .view-lines", { timeout: 30_000 });

  step("put the cursor in the stub");
  await page.keyboard.press("Control+G");
  await page.keyboard.type(`${LINE}:${COL}`);
  await page.keyboard.press("Enter");

  if (process.env.SAVE_ONLY) {
    step(`type ${process.env.SAVE_ONLY} at the end of the line and save, as a user does`);
    await page.keyboard.press("End");
    await page.keyboard.type(process.env.SAVE_ONLY);
    await page.waitForSelector(".tab.dirty", { timeout: 30_000 });
    await page.keyboard.press("Control+S");
    // VS Code runs editor.codeActionsOnSave before it writes the file; the tab is clean once it has written.
    await page.waitForFunction(() => !document.querySelector(".tab.dirty"), null, { timeout: 30_000 });
    if (await page.locator(".tab", { hasText: "(review)" }).count()) {
      throw new Error("saving opened a gptls review");
    }
    throw "done";
  }

  if (process.env.ASK) {
    step("gptls: Ask About Selection… from the command palette");
    await paletteCommand("gptls: Ask About Selection", "Ask About Selection");
    await page.locator(".quick-input-widget", { hasText: "Your question" }).waitFor({ timeout: 30_000 });
    await page.keyboard.type(process.env.ASK);
    await page.keyboard.press("Enter");
    step("the answer shows in a read-only view beside the code");
    await page.locator(".tab", { hasText: "answer.md" }).first().waitFor({ timeout: 60_000 });
    await page.waitForFunction(
      (expected) => [...document.querySelectorAll(".monaco-editor .view-lines")]
        .some((lines) => lines.textContent?.replace(/\u00a0/g, " ").includes(expected)),
      EXPECT,
      { timeout: 60_000 },
    );
    await page.locator(".notification-toast", { hasText: "Ask a Follow-up" }).first().waitFor({ timeout: 30_000 });
    if (process.env.ASK_SHOT) await page.screenshot({ path: process.env.ASK_SHOT });
    throw "done";
  }

  if (HOVER === "1") {
    step("show the hover (Ctrl+K Ctrl+I) and wait for gptls' explanation");
    await page.keyboard.press("Control+K");
    await page.keyboard.press("Control+I");
    await page.waitForFunction(
      (expected) => [...document.querySelectorAll(".monaco-hover")].some((h) => h.textContent?.includes(expected)),
      EXPECT,
      { timeout: 60_000 },
    );
    // Give an image in the hover, if one were rendered, the time to be fetched.
    await page.waitForLoadState("networkidle");
    const images = await page.locator(".monaco-hover img").count();
    if (images > 0) {
      throw new Error(`the hover rendered ${images} image(s)`);
    }
    const links = await page.locator(".monaco-hover a[href*='127.0.0.1'], .monaco-hover a[data-href*='127.0.0.1']").count();
    if (links > 0) {
      throw new Error(`the hover rendered ${links} link(s) to the attacker`);
    }
    throw "done";
  }

  if (process.env.GHOST) {
    step(`type ${process.env.GHOST} and wait for ghost text`);
    // VS Code sets up inline suggestions for an editor a moment after it opens: keystrokes before that ask
    // nothing. So, as a user would, type; if no ghost text shows, delete and type again.
    for (let attempt = 1; ; attempt++) {
      await page.keyboard.type(process.env.GHOST, { delay: 60 });
      try {
        // GHOST_WIDGET=1: the word-based suggest widget is open too (VS Code's default), ghost text beside it.
        await page.waitForFunction(
          (widget) => [...document.querySelectorAll(".monaco-editor .ghost-text-decoration, .monaco-editor .ghost-text")]
            .some((g) => (g.textContent ?? "").trim().length > 0)
            && (!widget || document.querySelector(".monaco-editor .suggest-widget.visible") !== null),
          process.env.GHOST_WIDGET === "1",
          { timeout: 5_000 },
        );
        break;
      } catch (error) {
        if (attempt >= 10) throw error;
        for (let i = 0; i < process.env.GHOST.length; i++) await page.keyboard.press("Backspace");
      }
    }
    if (process.env.GHOST_SHOT) await page.screenshot({ path: process.env.GHOST_SHOT });
    step("accept it with Tab");
    await page.keyboard.press("Tab");
    if (process.env.GHOST_WIDGET === "1") {
      // Tab may take only the widget's item; the ghost text that extends it stays, and another Tab takes it.
      for (let tab = 1; ; tab++) {
        try {
          await page.waitForFunction(
            (expected) => ![...document.querySelectorAll(".monaco-editor .ghost-text-decoration, .monaco-editor .ghost-text")]
              .some((g) => (g.textContent ?? "").trim().length > 0)
              && document.querySelector(".monaco-editor .view-lines")?.textContent?.replace(/\u00a0/g, " ").includes(expected),
            EXPECT,
            { timeout: 5_000 },
          );
          break;
        } catch (error) {
          if (tab >= 3) throw error;
          step("accept the rest with Tab");
          await page.keyboard.press("Tab");
        }
      }
    }
  } else if (process.env.INSTRUCT) {
    step("gptls: Edit with Instruction… from the command palette");
    await paletteCommand("gptls: Edit with Instruction", "Edit with Instruction");
    await page.locator(".quick-input-widget", { hasText: "What should change?" }).waitFor({ timeout: 30_000 });
    await page.keyboard.type(process.env.INSTRUCT);
    await page.keyboard.press("Enter");
  } else {
  step(`Refactor... -> ${ACTION}`);
  await page.keyboard.press("Control+Shift+R");
  const item = page.locator(".action-widget .monaco-list-row", { hasText: ACTION });
  await item.first().waitFor({ timeout: 30_000 });
  // The menu takes keys, not clicks (an overlay catches the pointer): walk down to the item, then Enter.
  for (let i = 0; i < 10; i++) {
    if ((await page.locator(".action-widget .monaco-list-row.focused").textContent())?.includes(ACTION)) {
      break;
    }
    await page.keyboard.press("ArrowDown");
  }
  await page.keyboard.press("Enter");
  }

  if (process.env.CANCEL) {
    step("a notification shows the call, with Cancel");
    const toast = page.locator(".notification-toast", { hasText: process.env.CANCEL });
    await toast.first().waitFor({ timeout: 60_000 });
    if (process.env.CANCEL_SHOT) await page.screenshot({ path: process.env.CANCEL_SHOT });
    await toast.first().getByRole("button", { name: "Cancel" }).click();
    step("the notification goes once the call is cancelled");
    await toast.first().waitFor({ state: "detached", timeout: 30_000 });
    throw "done";
  }

  if (PREVIEW === "1") {
    step("the review opens: a diff beside the file and a message with the model's note, Apply and Discard");
    const toast = page.locator(".notification-toast", { hasText: "Apply" });
    await toast.first().waitFor({ timeout: 60_000 });
    await page.locator(".monaco-diff-editor").first().waitFor({ timeout: 30_000 });
    await page.locator(".tab", { hasText: "(review)" }).first().waitFor({ timeout: 30_000 });
    if (await page.locator(".tab.dirty").count()) {
      throw new Error("the edit landed before it was confirmed");
    }
    const said = (await toast.first().textContent()) ?? "";
    if (process.env.NOTE && !said.includes(process.env.NOTE)) {
      throw new Error(`the review does not show the model's note: ${said}`);
    }
    if (process.env.PREVIEW_SHOT) await page.screenshot({ path: process.env.PREVIEW_SHOT });
    if (process.env.REFINE) {
      step("Refine… in the review: say what should change; the refined proposal comes for review");
      await toast.first().getByRole("button", { name: "Refine…", exact: true }).click();
      await page.locator(".quick-input-widget", { hasText: "What should change" }).waitFor({ timeout: 30_000 });
      await page.keyboard.type(process.env.REFINE);
      await page.keyboard.press("Enter");
      await toast.first().waitFor({ state: "detached", timeout: 30_000 });
      const refined = page.locator(".notification-toast", { hasText: "Apply" });
      await refined.first().waitFor({ timeout: 60_000 });
      if (process.env.NOTE2 && !((await refined.first().textContent()) ?? "").includes(process.env.NOTE2)) {
        throw new Error("the refined proposal's review does not show its note");
      }
      await refined.first().getByRole("button", { name: "Apply", exact: true }).click();
    } else {
      await toast.first().getByRole("button", { name: "Apply", exact: true }).click();
    }
    step("the review closes");
    await page.locator(".tab", { hasText: "(review)" }).first().waitFor({ state: "detached", timeout: 30_000 });
  }

  step("wait for the result in the editor");
  await page.waitForFunction(
    (expected) => document.querySelector(".monaco-editor .view-lines")?.textContent?.replace(/\u00a0/g, " ").includes(expected),
    EXPECT,
    { timeout: 60_000 },
  );
  if (process.env.GHOST) {
    step("the suggestion is in the buffer, no ghost text left");
    await page.waitForFunction(
      () => ![...document.querySelectorAll(".monaco-editor .ghost-text-decoration, .monaco-editor .ghost-text")]
        .some((g) => (g.textContent ?? "").trim().length > 0),
      null,
      { timeout: 30_000 },
    );
  }
  step("save");
  await page.keyboard.press("Control+S");
  await page.waitForFunction(() => !document.querySelector(".tab.dirty"), null, { timeout: 30_000 });
  if (PREVIEW === "1") {
    // After Apply the file's tab never turns dirty and the disk holds the result a moment after the text shows
    // (VS Code saves the edited file itself), so Control+S can come before that save: the disk says when it has.
    step("the file on disk holds the result");
    const deadline = Date.now() + 30_000;
    while (!readFileSync(join(WORKSPACE, FILE), "utf8").includes(EXPECT)) {
      if (Date.now() > deadline) throw new Error(`${FILE} was not saved with the result`);
      await page.waitForTimeout(100);
    }
  }

  if (process.env.DEMO === "1") {
    step("Stop the Demo: its notification is withdrawn, the no-key one is back");
    const demoToast = page.locator(".notification-toast", { hasText: "Stop the Demo" });
    await demoToast.first().getByRole("link", { name: "Stop the Demo" }).click();
    await page.locator(".notification-toast", { hasText: "no OpenAI API key" }).first().waitFor({ timeout: 90_000 });
    await demoToast.first().waitFor({ state: "detached", timeout: 30_000 });
  }

  if (process.env.STATUS_MENU === "1") {
    step("one gptls item in the status bar; its menu turns completions off and on");
    const items = page.locator(".statusbar-item", { hasText: "gptls" });
    if ((await items.count()) !== 1) throw new Error(`${await items.count()} gptls items in the status bar`);
    await items.first().click();
    await page.locator(".quick-input-list .monaco-list-row", { hasText: "Turn inline completions off" }).first()
      .waitFor({ timeout: 30_000 });
    if (process.env.MENU_SHOT) await page.screenshot({ path: process.env.MENU_SHOT });
    await page.keyboard.press("Escape");

    step("Show Last Request opens a read-only view, nothing to save");
    await paletteCommand("gptls: Show Last Request", "Show Last Request");
    await page.locator(".tab", { hasText: "last request.md" }).first().waitFor({ timeout: 30_000 });
    await page.waitForFunction(
      () => [...document.querySelectorAll(".monaco-editor .view-lines")]
        .some((lines) => lines.textContent?.replace(/\u00a0/g, " ").includes("the last request")),
      null,
      { timeout: 30_000 },
    );
    await page.keyboard.type("typed into a read-only view");
    if (await page.locator(".tab.dirty").count()) throw new Error("the last request view took typing: it is not read-only");
    await page.keyboard.press("Control+W");
    await page.locator(".tab", { hasText: "last request.md" }).first().waitFor({ state: "detached", timeout: 30_000 });
    if (await page.locator(".dialog-box").count()) throw new Error("closing the last request asked to save it");

    step("the settings UI shows gptls' model first, then completions");
    await paletteCommand("Preferences: Open Settings (UI)", "Open Settings (UI)");
    await page.locator(".settings-editor .suggest-input-container").first().waitFor({ timeout: 30_000 });
    await page.keyboard.type("@ext:gptls.gptls", { delay: 20 });  // the search box has the focus
    const labels = page.locator(".settings-editor .setting-item-contents .setting-item-label");
    await page.waitForFunction(
      () => [...document.querySelectorAll(".settings-editor .setting-item-contents .setting-item-label")]
        .some((label) => label.textContent?.includes("Reasoning Effort")),
      null,
      { timeout: 30_000 },
    );
    const first = ((await labels.first().textContent()) ?? "").trim();
    if (first !== "Model") throw new Error(`the first gptls setting shown is ${first}, not Model`);
    if (process.env.SETTINGS_SHOT) await page.screenshot({ path: process.env.SETTINGS_SHOT });
  }
} catch (error) {
  if (error !== "done") failure = error;
} finally {
  await page.screenshot({ path: SCREENSHOT, fullPage: true }).catch(() => {});
  await browser.close();
}
if (failure) {
  console.error(`FAILED: ${failure}`);
  process.exit(1);
}
console.log("OK");
