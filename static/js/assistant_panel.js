// 🤖 AI Assistant panel. The composer posts with fetch and reads the answer as server-sent
// events from the response body (EventSource can only GET): each `data:` line is one JSON
// event of the turn — its text as it is written, a chip per tool call (expandable: the raw
// input and output), an error, and at the end the whole turn as the server renders it
// (sanitized Markdown, the same partial the panel and the owner's replay draw), which
// replaces what was streamed. Refusals before the stream (empty or too long, the daily
// budget, another tab still answering, the assistant off) come back as JSON: a toast.
(function () {
  "use strict";
  let busy = false;

  function toast(text, level) {
    if (window.BookBack) window.BookBack.toast(text, level);
  }

  function fromTemplate(id) {
    const template = document.getElementById(id);
    return template ? template.content.firstElementChild.cloneNode(true) : null;
  }

  function pretty(value) {
    return typeof value === "string" ? value : JSON.stringify(value, null, 2);
  }

  function scrollToEnd(turns) {
    if (turns) turns.scrollTop = turns.scrollHeight;
  }

  // The text/event-stream format, as far as our server writes it: frames end with a blank
  // line; a frame's `data:` lines joined are its JSON.
  function takeFrames(state) {
    const frames = [];
    let end = state.buffer.indexOf("\n\n");
    while (end !== -1) {
      const frame = state.buffer.slice(0, end);
      state.buffer = state.buffer.slice(end + 2);
      const data = frame.split("\n").filter((line) => line.startsWith("data:")).map((line) => line.slice(5).trimStart()).join("\n");
      if (data) frames.push(JSON.parse(data));
      end = state.buffer.indexOf("\n\n");
    }
    return frames;
  }

  function addChip(turn, event) {
    const chip = fromTemplate("ai-chip-template");
    if (!chip) return;
    chip.dataset.toolId = event.id;
    chip.querySelector("[data-ai-chip-name]").textContent = `🔧 ${event.name}`;
    // The summary names the tool first ("count_leads · office=Garage"): the chip shows
    // the name apart, so only the arguments here (as crm.assistant.rendering.chip_arguments).
    const summary = chip.querySelector("[data-ai-chip-summary]");
    const whole = event.summary || "";
    summary.textContent = whole === event.name ? "" : whole.replace(`${event.name} · `, "");
    summary.title = whole;
    chip.querySelector("[data-ai-chip-input]").textContent = pretty(event.input);
    chip.querySelector("[data-ai-chip-output]").textContent = "…";
    turn.querySelector("[data-ai-chips]").appendChild(chip);
  }

  function fillChip(turn, event) {
    const chip = [...turn.querySelectorAll("[data-tool-id]")].find((el) => el.dataset.toolId === event.id);
    if (!chip) return;
    const output = chip.querySelector("[data-ai-chip-output]");
    output.textContent = event.error ? `Error: ${event.error}` : pretty(event.output);
    chip.classList.toggle("ai-chip--error", Boolean(event.error));
  }

  function showError(turn, message) {
    const error = turn.querySelector("[data-ai-error]");
    error.textContent = message;
    error.hidden = false;
    toast(message, "error");
  }

  // The server's rendering of the finished turn; chips the reader opened stay open.
  function replaceTurn(turn, html) {
    const open = [...turn.querySelectorAll("details[open][data-tool-id]")].map((el) => el.dataset.toolId);
    const holder = document.createElement("template");
    holder.innerHTML = html.trim();
    const rendered = holder.content.firstElementChild;
    if (!rendered) return turn;
    rendered.querySelectorAll("details[data-tool-id]").forEach((chip) => {
      if (open.includes(chip.dataset.toolId)) chip.open = true;
    });
    turn.replaceWith(rendered);
    return rendered;
  }

  function handle(event, context) {
    const { turn, form } = context;
    if (event.type === "turn") {
      form.querySelector("[data-ai-conversation]").value = event.conversation_id;
      turn.dataset.turnId = event.turn_id;
    } else if (event.type === "text") {
      turn.querySelector("[data-ai-answer]").textContent += event.text;
    } else if (event.type === "tool") {
      addChip(turn, event);
    } else if (event.type === "tool_result") {
      fillChip(turn, event);
    } else if (event.type === "error") {
      showError(turn, event.error);
      context.failed = true;
    } else if (event.type === "done") {
      if (event.html) context.turn = replaceTurn(turn, event.html);
      document.body.dispatchEvent(new CustomEvent("bookback:ai-turn-done", { detail: event }));
    }
  }

  async function refusal(response) {
    let said = "";
    try {
      said = (await response.json()).error || "";
    } catch (error) { /* not JSON: an error page */ }
    return said || `Something went wrong (${response.status}). Try again.`;
  }

  async function send(form) {
    const box = form.querySelector("textarea");
    const message = box.value.trim();
    if (!message) return;
    if (busy) {
      toast("The assistant is still answering: wait for it to finish.", "error");
      return;
    }
    const turns = form.parentElement.querySelector("[data-ai-turns]");
    const turn = fromTemplate("ai-turn-template");
    if (!turns || !turn) return;
    const data = new FormData(form);
    busy = true;
    form.querySelector("[data-ai-send]").disabled = true;
    turn.querySelector("[data-ai-message]").textContent = message;
    const hello = turns.querySelector("[data-ai-hello]");
    if (hello) hello.remove();
    turns.appendChild(turn);
    box.value = "";
    scrollToEnd(turns);
    const context = { turn, form, failed: false };
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { Accept: "text/event-stream" },
      });
      const type = response.headers.get("Content-Type") || "";
      if (!response.ok || !type.startsWith("text/event-stream")) {
        // Refused before anything ran: the question goes back into the box to try again.
        toast(await refusal(response), "error");
        turn.remove();
        box.value = message;
        return;
      }
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      const state = { buffer: "" };
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        state.buffer += value.replace(/\r\n/g, "\n");
        takeFrames(state).forEach((event) => handle(event, context));
        scrollToEnd(turns);
      }
    } catch (error) {
      showError(context.turn, "The connection dropped before the answer finished. Try again.");
    } finally {
      context.turn.querySelectorAll(".is-streaming").forEach((el) => el.classList.remove("is-streaming"));
      busy = false;
      form.querySelector("[data-ai-send]").disabled = false;
      scrollToEnd(turns);
      if (form.isConnected) box.focus();
    }
  }

  document.addEventListener("submit", (event) => {
    const form = event.target.closest && event.target.closest("[data-ai-composer]");
    if (!form) return;
    event.preventDefault();
    send(form);
  });
  document.addEventListener("keydown", (event) => {
    const box = event.target;
    if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
    if (!box.matches || !box.matches("[data-ai-composer] textarea")) return;
    event.preventDefault();
    box.form.requestSubmit();
  });
  // A conversation opened from the list: marked in the list, scrolled to its last answer.
  document.addEventListener("htmx:afterSwap", (event) => {
    const target = event.detail.target;
    if (!target) return;
    if (target.id === "ai-chat" || target.id === "left-panel-body") {
      scrollToEnd(target.querySelector("[data-ai-turns]"));
      const box = target.querySelector("[data-ai-composer] textarea");
      if (box) box.focus();
    }
    if (target.id === "ai-chat") {
      const open = event.detail.requestConfig && event.detail.requestConfig.elt;
      document.querySelectorAll("[data-ai-open]").forEach((link) => link.classList.toggle("is-active", link === open));
    }
  });
})();
