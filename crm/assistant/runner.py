"""A turn's tool loop against Anthropic, streamed as events (crm.assistant.services).

Each step: reserve the call's worst case (budget), stream the call (text deltas go out as
they come), record it (AICall: exact request and response, usage, cost), settle the
reservation with the real cost; if the model asked for tools, run each (AIToolCall) and
send the results back. At most MAX_STEPS calls; the last one may not ask for tools.
"""

import json
import logging
import time
from collections.abc import Iterator
from decimal import Decimal

import anthropic
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from crm.assistant import budget, client, pricing
from crm.assistant.budget import BudgetExceeded
from crm.assistant.models import AICall, AIToolCall, Conversation, Turn
from crm.assistant.tools import TOOLS, ToolError, run_tool
from crm.assistant.tools.base import business_zone, may_see_money

logger = logging.getLogger(__name__)

MAX_STEPS = 8
MAX_TOKENS = 2048
HISTORY_TURNS = 10  # earlier turns of the conversation sent with a new message
SUMMARY_CHARS = 80
INTERRUPTED = "The reply was interrupted."
# The tools are the same for everyone: marked, they are cached as the prompt's prefix.
CACHED_TOOLS = [*TOOLS[:-1], {**TOOLS[-1], "cache_control": {"type": "ephemeral"}}]
SYSTEM = """You are the AI Assistant inside BookBack CRM, a CRM for a home-services \
company (leads, jobs, contractors). Answer staff questions from the tools' results only; \
never guess a number. Counts from the tools are exact. Lists stop at 300 rows: then say \
"showing 300 of N". Times and dates are America/New_York (ET): read the user's dates that \
way and pass days as YYYY-MM-DD. When an answer is a table, write a Markdown table. Be \
brief. There are no write tools: you cannot change anything.

User: {name}, role {role}. Offices they can see: {offices}.
Today is {today} in New York. {money}"""


def tool_summary(name: str, tool_input) -> str:
    """A chip's label: the tool and its arguments, short ("count_leads · office=Garage")."""
    if not isinstance(tool_input, dict) or not tool_input:
        return name
    arguments = ", ".join(f"{key}={value}" for key, value in tool_input.items())
    summary = f"{name} · {arguments}"
    return summary if len(summary) <= SUMMARY_CHARS else summary[: SUMMARY_CHARS - 1] + "…"


def first_request(user, conversation: Conversation | None, message: str, model: str) -> dict:
    """The request the turn's first call would send (start_turn's budget check)."""
    history = _history(conversation) if conversation else []
    return _request(user, model, [*history, {"role": "user", "content": message}])


def stream_turn(turn: Turn) -> Iterator[dict]:
    """Run `turn`'s tool loop, yielding the events the chat streams (see the contract:
    text, tool, tool_result, error with its HTTP-like status, done). The turn is saved
    with its answer and status however the loop ends."""
    user, model = turn.user, turn.conversation.model
    price = pricing.price_of(model)
    sdk = client.client()
    messages = [
        *_history(turn.conversation, before=turn),
        {"role": "user", "content": turn.message},
    ]
    answer: list[str] = []
    totals = {"cost": Decimal(0), "input_tokens": 0, "output_tokens": 0}
    tool_seq = 0
    try:
        for seq in range(1, MAX_STEPS + 1):
            request = _request(user, model, messages, last=seq == MAX_STEPS)
            worst = pricing.worst_case(
                price,
                prompt_tokens=pricing.estimate_prompt_tokens(request),
                max_tokens=MAX_TOKENS,
            )
            try:
                reservation = budget.reserve(user, turn.role, worst)
            except BudgetExceeded as refusal:
                _finish(turn, answer, Turn.Status.BUDGET, str(refusal))
                yield {"type": "error", "error": str(refusal), "status": 429}
                return
            call = AICall(
                turn=turn,
                conversation_id=turn.conversation_id,
                user=user,
                role=turn.role,
                model=model,
                request=request,
                seq=seq,
            )
            # Until the call ends well, a call cut short may have cost its worst case.
            charged, started, failure = reservation.amount, time.monotonic(), ""
            try:
                with sdk.messages.stream(**request) as stream:
                    separated = not answer
                    for event in stream:
                        if event.type == "text" and event.text:
                            if not separated:  # a new call's text starts a new paragraph
                                separated = True
                                answer.append("\n\n")
                                yield {"type": "text", "text": "\n\n"}
                            answer.append(event.text)
                            yield {"type": "text", "text": event.text}
                    final = stream.get_final_message()
                usage = pricing.Usage.of(final.usage)
                charged = pricing.cost(price, usage)
            except (anthropic.APIError, ValueError) as exc:
                charged, failure = Decimal(0), _describe(exc)  # refused or unreachable: unbilled
            except GeneratorExit:
                # The browser went away mid-call: the ledger keeps the call at what was held.
                call.error, call.cost = INTERRUPTED, charged
                call.latency_ms = _elapsed(started)
                call.save()
                raise
            finally:
                budget.settle(reservation, charged)
            if failure:
                call.error, call.latency_ms = failure, _elapsed(started)
                call.save()
                _finish(turn, answer, Turn.Status.ERROR, failure)
                yield {"type": "error", "error": failure, "status": 502}
                return
            _record(call, final, usage, charged, _elapsed(started))
            totals["cost"] += charged
            totals["input_tokens"] += usage.input_tokens
            totals["output_tokens"] += usage.output_tokens
            messages.append({"role": "assistant", "content": call.response})
            tool_uses = [block for block in final.content if block.type == "tool_use"]
            if final.stop_reason != "tool_use" or not tool_uses:
                break
            results = []
            for block in tool_uses:
                tool_seq += 1
                yield {
                    "type": "tool",
                    "id": block.id,
                    "name": block.name,
                    "input": block.input,
                    "summary": tool_summary(block.name, block.input),
                }
                output, error = _run(call, turn, block, tool_seq)
                yield {"type": "tool_result", "id": block.id, "output": output, "error": error}
                results.append(_tool_result(block.id, output, error))
            messages.append({"role": "user", "content": results})
        _finish(turn, answer, Turn.Status.OK, "")
    except GeneratorExit:
        # The browser went away mid-answer: keep what was said.
        _finish(turn, answer, Turn.Status.ERROR, INTERRUPTED)
        raise
    yield {
        "type": "done",
        "turn_id": turn.pk,
        "cost": str(totals["cost"]),
        "input_tokens": totals["input_tokens"],
        "output_tokens": totals["output_tokens"],
    }


def _request(user, model: str, messages: list[dict], *, last: bool = False) -> dict:
    request = {
        "model": model,
        "max_tokens": MAX_TOKENS,
        "system": _system(user),
        "tools": CACHED_TOOLS,
        "messages": list(messages),  # a copy: the loop goes on appending to its own
    }
    if last:  # the loop's last call must answer in words
        request["tool_choice"] = {"type": "none"}
    return request


def _system(user) -> str:
    today = timezone.now().astimezone(business_zone())
    offices = "all offices" if user.sees_all_offices else None
    offices = offices or ", ".join(name for _, name, _ in user.visible_offices) or "none"
    money = (
        "They may see money (closing, parts, payouts)."
        if may_see_money(user)
        else "Their role does not see money: the tools leave it out; don't estimate it."
    )
    return SYSTEM.format(
        name=user.full_name or user.email,
        role=user.get_role_display(),
        offices=offices,
        today=today.strftime("%A, %B %-d, %Y"),
        money=money,
    )


def _history(conversation: Conversation, *, before: Turn | None = None) -> list[dict]:
    """The conversation so far as question/answer pairs (answered turns only)."""
    turns = Turn.objects.filter(conversation=conversation).exclude(answer="")
    if before is not None:
        turns = turns.filter(pk__lt=before.pk)
    pairs = turns.order_by("-pk").values_list("message", "answer")[:HISTORY_TURNS]
    messages = []
    for message, answer in reversed(pairs):
        messages += [{"role": "user", "content": message}, {"role": "assistant", "content": answer}]
    return messages


def _record(call: AICall, final, usage: pricing.Usage, cost: Decimal, latency_ms: int) -> None:
    call.response = [block.to_dict() for block in final.content]
    call.stop_reason = final.stop_reason or ""
    call.input_tokens, call.output_tokens = usage.input_tokens, usage.output_tokens
    call.cache_creation_tokens = usage.cache_creation_tokens
    call.cache_read_tokens = usage.cache_read_tokens
    call.cost, call.latency_ms = cost, latency_ms
    call.save()


def _run(call: AICall, turn: Turn, block, seq: int) -> tuple[dict | None, str]:
    """Run one tool and record it; a refusal goes back to the model as an error."""
    started, output, error = time.monotonic(), None, ""
    try:
        output = json.loads(json.dumps(run_tool(turn.user, block.name, block.input),
                                       cls=DjangoJSONEncoder))  # fmt: skip
    except ToolError as refusal:
        error = refusal.message
    except Exception:
        # A bug in a tool must not end the turn with a 500: the model hears it failed.
        logger.exception("AI Assistant tool %s failed on %r", block.name, block.input)
        error = "The tool failed on the server. Tell the user this question can't be answered now."
    AIToolCall.objects.create(
        call=call,
        turn=turn,
        tool_use_id=block.id,
        name=block.name,
        input=block.input if isinstance(block.input, dict) else {"raw": block.input},
        output=output,
        error=error,
        duration_ms=_elapsed(started),
        seq=seq,
    )
    return output, error


def _tool_result(tool_use_id: str, output: dict | None, error: str) -> dict:
    if error:
        return {"type": "tool_result", "tool_use_id": tool_use_id, "content": error,
                "is_error": True}  # fmt: skip
    content = json.dumps(output, ensure_ascii=False)
    return {"type": "tool_result", "tool_use_id": tool_use_id, "content": content}


def _finish(turn: Turn, answer: list[str], status: str, error: str) -> None:
    now = timezone.now()
    turn.answer, turn.status, turn.error, turn.finished_at = "".join(answer), status, error, now
    turn.save(update_fields=["answer", "status", "error", "finished_at"])
    Conversation.objects.filter(pk=turn.conversation_id).update(updated_at=now)


def _describe(exc: Exception) -> str:
    if isinstance(exc, anthropic.APIStatusError):
        return f"The AI service refused the request (HTTP {exc.status_code}: {exc.message})."[:500]
    if isinstance(exc, anthropic.APIConnectionError):
        return "The AI service could not be reached. Try again in a minute."
    return f"The AI service's answer could not be read ({exc})."[:500]


def _elapsed(started: float) -> int:
    return round((time.monotonic() - started) * 1000)
