"""A condition said before the action it leads to, rewritten as the action "when" it.

This module owns `arrows` and `postfix`: "RSI(2) under 10 -> buy.", "a close under the lower band
means buy", "the 50 crossing above the 150 is my buy signal", "... = im out", "the opposite cross
is my sell" (the sell on that event), and "rsi 2 < 5 buy. sell rsi 2 > 50" (the condition, then
its verb, with no arrow between).
"""

from __future__ import annotations

import re

from generator.providers.offline.phrases import SYM

# "RSI(2) under 10 -> buy.", "a close under the lower band means buy", "the 50 crossing above
# the 150 is my buy signal": the condition, then the action it leads to
_ARROW = re.compile(
    # (a condition never holds a verb of its own: "a close below the lower band is a buy and a
    # close above the upper band is a sell" is two arrows, never one across "is a buy and")
    r"(?:(?<=^)|(?<= [.;:!?⋄-] )|(?<= , )|(?<= and ))(?P<cond>(?:(?! [.;:!?⋄,-] | (?:buy|sell)"
    r"(?!\S)).)+?)"
    r" (?:- >|= >|→|=|means(?: a| i| we)?|is (?:my|our|the|a)(?: signal to)?"
    r"|(?:gets|puts|takes) (?:me|us)(?= (?:in|out)(?!\S))|is (?:where|when) (?:i|we))"
    rf" (?:i'm |im |i am |we're |i |we )?(?P<verb>sell everything|sell it all|sell all"
    rf"|buy back in|buy back|back in|buy|sell|exit|enter long|enter|go long|be long"
    rf"|be in"
    rf"|get in|get back in|long|flat|go flat"
    rf"|be flat|be out|get out|short|cover|out|in|hold|own|entry|sell off|cash|in cash|be in cash"
    rf"|go to cash|invested|be invested|in the market)"
    r"(?: (?:signal|trigger|rule|point|sign))?"
    # ("tlt above its 200 day = own it, below = cash": the fund said as "it")
    rf"(?:(?: for| on| in)? (?P<sym>{SYM})| it| them)?(?: at the close)?"
    # (or the other rule's verb right after: "VNQ down 4 days in a row -> buy sell after 7 days",
    # labels taken out between them; "-> buy with 10000 dollars per trade": the size, read apart)
    r"(?= [.;,!]| and |\s*$| (?:sell|exit|get out) | with \d+(?:\.\d+)? dollars )"
)
# "the opposite cross is my sell": the event itself, read with "on"
_EVENT = re.compile(r"^(?:the |a )?(?:opposite|reverse|reversed|inverse|other|cross back"
                    r"|death|golden)(?: cross| crossing| crossover)?$")
# "flips negative -> sell": the subject left out is the one just named
_SUBJECTLESS = re.compile(r"^(?:flips|turns|crosses|goes|drops|falls|rises|gets|closes|moves"
                          r"|breaks|dips|climbs)(?!\S)")


_ARROW_VERBS = {"long": "buy", "go long": "buy", "enter long": "buy", "flat": "sell",
                "entry": "buy", "sell off": "sell",
                "go flat": "sell", "out": "sell", "in": "buy", "be long": "hold",
                "be in": "hold", "get in": "buy", "get back in": "buy", "be flat": "sell",
                "be out": "sell", "invested": "hold", "be invested": "hold",
                "in the market": "hold",
                "get out": "sell", "cash": "sell", "in cash": "sell", "be in cash": "sell",
                "go to cash": "sell", "bail": "sell", "sell everything": "sell",
                "sell it all": "sell", "sell all": "sell", "buy back in": "buy", "buy back": "buy",
                "back in": "buy"}


# "rsi 2 < 5 buy. sell rsi 2 > 50": the condition, then its verb, with no arrow between
_POSTFIX = re.compile(
    # (after a label's colon, a condition led by its own keyword is no postfix one: "Simple one:
    # whenever X i want to be long")
    r"(?:(?<=^)|(?<= [.;!?⋄] )|(?<= : )(?!(?:if|when|whenever|while|once) )|(?<= buy )"
    r"|(?<= sell ))(?P<cond>(?:(?! [.;:!?⋄,] | (?:if|when"
    r"|whenever|while|once|buy"
    r"|sell|long|exit|else|otherwise|flat) ).)+? (?:<|>|< =|> =|below|above|under|over)"
    # (what is compared never starts at a mark: "sell when it is under , but hold at least 7
    # days before any sell" is not a condition then its verb)
    r" (?![.;:!?⋄,] )(?:(?! [.;:!?⋄,] | (?:if|when|whenever|while|once|buy|sell|long|exit"
    # ("rsi below 30 i get in. rsi above 50 i get out.": the writer as the subject)
    r"|else|otherwise|flat) ).)+?) (?:(?:i|we|i'll|we'll) )?"
    # ("... sell 10 trading days after I buy": the buy the time counts from, no verb of a rule)
    r"(?<!after i )(?<!after we )(?<!since i )(?<!since we )(?<!before i )(?<!until i )"
    r"(?P<verb>buy|sell|exit|long|flat"
    rf"|get in|get out|go long|go flat|bail)(?: (?P<sym>{SYM}))?(?= [.;!]|\s*$)")


def _arrow(m: re.Match[str]) -> str:
    sym = f" {m.group('sym')}" if m.group("sym") else ""
    verb = _ARROW_VERBS.get(m.group("verb"), m.group("verb"))
    cond = m.group("cond").strip()
    # (", and the opposite cross is the sell": the "and" joins the rules, not the condition)
    lead = ""
    if cond.startswith("and "):
        lead, cond = " and", cond.removeprefix("and ")
    # ("IWM after four straight down days -> buy", "SPY on a golden cross -> buy": the fund, then
    # the time of the act, read as said after the act)
    timed = re.match(rf"^(?P<s>{SYM}) (?P<r>(?:after|on) .+)$", cond)
    if timed and not sym:
        return f"{lead} {verb} {timed.group('s')} {timed.group('r')} "
    if _SUBJECTLESS.match(cond):
        cond = f"it {cond}"
    if _EVENT.match(cond):
        return f"{lead} {verb}{sym} on {cond} "
    return f"{lead} {verb}{sym} when {cond} "


# "golden cross on QQQ to get in, death cross to get out": a named crossing, then what it is for
_EVENT_TO = re.compile(
    rf"(?<!\S)(?:the |a )?(?P<cond>(?:golden|death|opposite|reverse|bullish|bearish) cross"
    rf"(?:over|ing)?)(?: on (?P<sym>{SYM}))? (?:is )?to (?P<verb>get in|get out|enter|exit|go long"
    r"|go flat|buy|sell|get me in|get me out)(?!\S)")
_EVENT_VERBS = {"get in": "buy", "enter": "buy", "go long": "buy", "get me in": "buy",
                "get out": "sell", "exit": "sell", "go flat": "sell", "get me out": "sell"}


def _event_to(m: re.Match[str]) -> str:
    sym = f" {m.group('sym')}" if m.group("sym") else ""
    verb = _EVENT_VERBS.get(m.group("verb"), m.group("verb"))
    return f" {verb}{sym} on the {m.group('cond')} "


# "MACD (8,17,9) on QQQ -> in when ...": an arrow before a rule said in full is a colon
_ARROW_BEFORE_RULE = re.compile(
    r"(?<!\S)(?:- >|= >|→)(?= (?:in|out|buy|sell|long|flat|enter|exit|get in|get out|go long)"
    r" (?:when|whenever|if|on|once|as soon as)(?!\S))")


# "close above the upper BB(20,2) -> long": the bands' settings said without the comma that would
# end the condition before its arrow
_BAND_SETTINGS = re.compile(r"(?<!\S)(?P<b>bollinger bands?) \( (?P<n>\d+) , (?P<k>\d+(?:\.\d+)?)"
                            r" \)(?!\S)")


def arrows(text: str) -> str:
    text = _ARROW_BEFORE_RULE.sub(":", text)
    if re.search(r"(?<!\S)(?:- >|→|= >|=)(?!\S)", text):
        text = _BAND_SETTINGS.sub(r"\g<b> ( \g<n> day \g<k> std )", text)
    return _ARROW.sub(_arrow, _EVENT_TO.sub(_event_to, text))


def postfix(text: str) -> str:
    return _POSTFIX.sub(_arrow, text)
