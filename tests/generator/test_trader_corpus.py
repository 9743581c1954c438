"""The trader corpus: how much of what retail traders write the offline parser understands.

`tests/data/trader_corpus.txt` holds sentences written as users write them (titles, small talk,
framing words, many phrasings per construct), each with the facts its spec must have, in a
development set and a held-out set that the parser is not tuned against. Each sentence goes
through the static pipeline and the store's symbol check (`corpus_support.run_case`); a
sentence counts as understood when the spec has every fact given, or when a sentence that must
be refused is refused. The shares are printed and must not fall under the floors; a spec with
wrong facts (a silently dropped or misread rule) is never allowed.

Baseline before the parser was reworked (issue 10), on the pre-issue code (commit cba7d31):
development 50/113 (44 %; 35/86 on the first 86 sentences, the other 27 were added later as
development data), held-out 33/70 (47 %), one wrong spec in each. After: development 109/113
(96 %), held-out 62/70 (89 %), no wrong spec.

Second round: a second held-out set (`held_out_2`, 43 sentences covering the first round's
constructs and shorts, per-symbol legs and nested groups) was written and committed before the
parser changes that followed it, and measured then: 33/43 (77 %), 7 refused wrongly, 3 wrong
specs. Its individual failures are not read while the parser is worked on (development
sentences are added instead), so its wrong specs are counted and reported, not asserted away.
One annotation was corrected after a development sentence showed it broke the corpus's
convention ("unless B" negates B's operator as Condition.negated does: lt -> gt, not ge).
After 38 new development sentences and the fixes they called for: development 149/151,
held-out 62/70, held-out 2 38/43 (2 wrong specs). The second round's development sentences and
held_out_2 were written by the same person, so held_out_2 is the less independent of the two.

Third round: the two wrong specs of held_out_2 were fixed first (the middle band is reached from
the side the position was opened on; "drops below" in a sell rule is the state when the buy rule
holds the opposite state in only one alternative). A third held-out set (`held_out_3`, 63
sentences) was written and committed before the parser was run on it: first score 37/63
(59 %), 26 refused wrongly, no wrong spec (38/63 counting the two annotations corrected to the
corpus's conventions, see the corpus file). Its failures were then read and the parser changed
for the grammar and vocabulary they showed, never for one sentence: spelled numbers, "and" binds
tighter than "or" (with a clarification for "A or B and C"), levels reached ("hits the upper
band"), offsets after "more than", streak verbs and one weekly/monthly bar, a second keyword
inside a condition, rotation counts before the word, legs without a preposition, drift "off
target", "move everything to", "at a 7% loss", bare "the 50" naming a moving average of the
text. The fixes found one more wrong spec on the way (", unless B" read as "and B"), fixed.
Then a fourth set (`held_out_4`, 40 sentences) was written and committed before the parser
was run on it: 34/40 (85 %), no wrong spec; after fixes for what it showed (framing "a bot for
HYG that ...", "only while", "the upper one", "when it drops below, switch to IEF", a title
that holds "go long"): 40/40. After the third round: development 149/151, held_out 66/70
(94 %), held_out_2 42/43 (98 %), held_out_3 62/63 (98 %), held_out_4 40/40; no wrong spec in
any set. Only held_out_4's first score (85 %) is a measure on sentences the changes were not
made against; the others were read while working.

Fourth round: a fifth set (`held_out_5`, 70 sentences) was written by someone who never saw the
parser, with a separate file of the rules each sentence means; it was annotated from that file
and committed before the parser was changed for it. Seven of its ETFs are outside the 21
stored ones; those cases name them under `store:`. First run: 32/70 (46 %): 25 right specs, 7
right refusals (a closing high, absolute momentum against another fund, a rising average, a
week-to-week exit), 37 refused although the spec can say them, and 1 wrong spec (a crossing
entry closed by a stop and a target was given the opposite crossing too). Then the parser was
changed for the grammar and vocabulary they showed, never one sentence at a time, with 28 new
development sentences for the same constructs and the gaps known before (weekdays, months,
names, "I mean", ATR-multiple stops, a drift band said as limits, a schedule in a title, which
a title used to drop silently): held_out_5 68/70 (97 %), no wrong spec; development 177/179,
the other sets unchanged. held_out_5's first score is the honest figure: the rest was
read while working.

Fifth round: a sixth set (`held_out_6`, 80 sentences) was written by someone who never saw the
parser, annotated from their meaning file (following the corpus's conventions where the two
differ, each listed in the corpus file) and committed before the parser was run on it. First
run: 54/80 (68 %) as committed; two short-with-stop cases were annotation errors against the
spec (it cannot state stops on shorts) and are refusals now, which makes the first run 56/80
(70 %): 48 right specs, 8 right refusals, 22 refused although sayable, 2 wrong specs ("at
least 10% below" read as lt; "a weekly close below it" read as the daily price). Its failures
were then read and the parser changed for the classes of phrasing they showed (listed in the
corpus file above the fifth round's 28 development sentences), never one sentence at a time:
held_out_6 80/80, development 205/207, the other sets unchanged, no wrong spec anywhere. As
before, only the first-run figure measures the parser on sentences it was not changed for.

Sixth round: a seventh set (`held_out_7`, 80 sentences) was written by someone who never saw the
parser or the corpus, annotated from their meaning file and committed before the parser was run
on it. First run: 51/80 (64 %) after two annotation corrections to the corpus's "turns
negative" convention, with 3 wrong specs; a third was then found to be an annotation against
held_out_6's convention (an "equally weighted portfolio ..., rebalanced" is target_weights with
equal weights: the spec's equal_weight kind sizes a signal strategy and cannot be a portfolio
without rules), which makes the first run 52/80 (65 %) with 2 wrong specs (a weekly close in a
sell rule read as the daily price; "the monthly close above the 10-month SMA" read as a 210-day
SMA). Its failures were read and the parser changed for the classes they showed, each with new
development sentences first (29, listed in the corpus file above held_out_7): a weekly/monthly
close as a sell rule's subject, N-month averages on monthly bars when a monthly close is
compared (the fifth round's EEM sentence re-annotated so), brief exits ("sell when back above
it"), bracketed remarks and "oversold (below 25)", "rebal", "a 12% target", a 0-100 oscillator
level reached ("RSI hits 75"), money as "10k" / "$5000 into each of" / "half of my available
cash", volatility targets said as "sized to target" / "vol targeting on X at 8% a year", "buy
and hold ... forever, never sell", titles whose numbers the rules use ("RSI(2) strategy", "w/
2.5 std bands", "MACD 5/35/5 on X, long when the histogram ...", "ema 12/26 cross ... the fast
ema ... the slow one", a close through the outer band as a breakout), "cash otherwise", a
crossing's direction after its object ("crosses the zero line upward"), "SYM - COND = buy",
rotations among a title's symbols ("TLT vs IEF switch: ... whichever had the higher 3 month
return") and "go to BIL for any pick whose return is negative". Decided: "long X when <state>"
is a hold like "own X when" (exit: the state failing); "buy X when <state>" with no sell rule
stays a clarification, which is the 3 held_out_7 sentences still refused. After: held_out_7
77/80 (96 %), development 234/236, held_out 67/70 (one more), held_out_2 42/43, held_out_3
62/63, held_out_4 40/40, held_out_5 68/70, held_out_6 80/80; no wrong spec anywhere.

Seventh round: an eighth set (`held_out_8`, 80 sentences) was written the same way and committed
before the parser was run on it. First run: 50/80 (62 %) as committed, 3 wrong specs; two of
them (and one refused case) were annotations against held_out_6's crossing convention ("sell
when MACD falls below the signal" after an entry holding it above is crosses_below), which makes
the first run 52/80 (65 %) with one wrong spec: an entry "above its 200-day SMA and also below
its 200-day SMA" was not refused. That is now refused when any provider's spec is made: an
`all` rule whose conditions can never hold together (`generator.spec.never_true`, checked by
the pipeline; a spec stored before still loads).
The parser was then changed for the classes the failures showed, each with development sentences
first (24, listed in the corpus file above held_out_8); the most general is that a sentence
holding no symbol, number or trading word is chatter, ignored and listed ("im pretty new to this
lol.", "Hey all, first post."). After: held_out_8 76/80 (95 %), development 258/260, the other
sets unchanged; no wrong spec anywhere. Still refused: a time-exit title ("Quick test of a time
exit - ..."), "After 3 down days in a row on SPY I buy the close", a restated bracket ("turns
positive (crosses above zero)") and the Ivy sentence ("each one held only while it's above ...,
sold when it closes below").

Eighth round: a ninth set (`held_out_9`, 80 sentences, its writer saw neither the parser, the
corpus nor held_out_8) was committed after the seventh round's changes and before the parser was
run on it (78 sentences: two were word for word held_out_8's and are listed there only). First
run: 46/78 (59 %), 30 refused although sayable, 2 wrong specs ("sell on the
death cross" after the 50 and 200 EMAs read as the SMAs; "52 week high" as 260 days). The
parser was changed for the classes its failures showed, with 28 development sentences first
(listed above held_out_9). The more general changes: a long unknown word is corrected to the
closest trading word ("rebalanse", "histogarm"); weights without % signs are read when they add
up to 100; a title's "N day" must be a period the rules use; "N or lower/higher" is le/ge; a
bare "the 50" after "the 10 day EMA crosses above" is that kind of average. After: held_out_9
71/78 (91 %), development 286/288, the other sets unchanged; no wrong spec anywhere. Six rounds
of blind sets have now scored 85 %, 46 %, 70 %, 65 %, 65 % and 59 % on their first runs: the
parser generalises to new phrasing in steps, and the 90 % target on unseen text is not met.

Ninth round: a tenth set (`held_out_10`, 80 sentences, a writer who saw none of the earlier sets)
was committed after the eighth round's changes and before the parser was run on it. First run:
40/80 (50 %), 40 refused although sayable, no wrong spec. A partial round followed (13
development sentences first, listed above held_out_10): labelled rules ("enter: ... exit:
..."), one-word "in when" / "out when", arrows to "long" / "flat", "every time", "N days max",
"no absolute momentum filter, always fully invested", "X if everything's negative". After:
held_out_10 52/80 (65 %), the other sets unchanged, no wrong spec anywhere. Its floor is set at
what it scores, not at the target.

Tenth round: held_out_10's remaining failures were read and the parser changed for the classes
they showed, with 20 development sentences first (listed above held_out_11): chatter holding
"if"/"when" and no trading word, "can I test ...", "when X I buy", "only take trades when X",
"or after N days" inside a sell rule, a universe that is no title, "SYM as the cash asset", a
bare "its 200-day", another symbol's indicator on the right ("its ROC above SPY's ROC"), "sell
when it's lower", "stretched", a lone symbol beside the controls, "drops N% below it", "goes
back under it" after a crossing. held_out_10 went to 70/80. Then an eleventh set (`held_out_11`,
80 sentences, a writer who saw no parser code and no earlier set) was committed and run once:
53/80 as committed, 55/80 (69 %) once two annotations given to the writer against the corpus's
"unless" convention were corrected, with one wrong spec ("exit after 5 trading days or when RSI
rises above 60" put the RSI condition in the buy rule). The wrong spec was fixed at its root (a
sell condition said after a control that closes the position, "take profit at 5% or when X",
was joined to the buy rule), then the classes held_out_11 showed, with 22 development sentences
(listed at the end of the corpus): held_out_11 79/80, held_out_10 70/80, the other sets
unchanged, no wrong spec anywhere. Then a twelfth set (`held_out_12`, 80 sentences, five kinds of
writer, conventions given correctly) was committed and run once: 48/80 (60 %), 31 refused
although sayable, one wrong spec (a left-out subject in a sell rule continued a filter on another
symbol: "... but only if SPY is above its 200-day SMA. Exit on a close below the 15-day low" read
the low of SPY). Fixed at its root (a new rule continues the last condition on the traded symbol),
then the classes it showed, with 30 development sentences (at the end of the corpus):
held_out_12 78/80, the other sets unchanged, no wrong spec anywhere. A thirteenth set
(`held_out_13`, 80 sentences: retold YouTube and book strategies, spreadsheet and pseudo-code
rules, trader slang, a cautious retiree) was committed and run once: 47/80 (59 %), no wrong spec.
After the classes it showed, with 27 development sentences: held_out_13 76/80, the other sets
unchanged, no wrong spec anywhere. A fourteenth set (`held_out_14`, 80 sentences: a phone
typist, polite paragraphs ending in a question, labels pasted from a charting site, "so like"
explainers, the sell rule or the controls first) was committed and run once: 37/80 (46 %), no
wrong spec. After the classes it showed (among them: a question that states no rule is ignored;
a preamble "my goal is ... in QQQ" names the symbol), with 27 development sentences:
held_out_14 72/80, the other sets unchanged, no wrong spec anywhere.

Eleventh round: two sets written for writers further from the earlier ones (`held_out_15`:
voice dictation, Reddit markdown, a formal e-mail to an adviser, Pine and AmiBroker code,
writers correcting themselves, "last year I did X, automate it"; `held_out_16`: a quant's maths,
an allocator naming funds by description, numbered steps, non-native English, conditional
chains over several symbols, lowercase chat shorthand) were committed and run once: 15/80 (19 %)
each, one wrong spec in held_out_16 (the better of two funds said as "if A's return beats B's,
hold A, else hold B" read as a filter with B as the alternative, which trades the same but is
not the rotation meant). The parser then gained three modules for what those writers did as a
whole rather than a phrase at a time: `formulas` (code and maths said in words), `corrections`
(a correction read as an edit of what it corrects) and `narration` (a strategy told as what the
writer did), plus letters, markdown, chat shorthand and non-native word order; two wrong specs
found on the way were fixed at the root (a sell rule's "it" after "... unless SPY is below its
200-day SMA"; a rewritten weekly close). With 42 development sentences: held_out_15 61/80,
held_out_16 59/80, the other sets unchanged, no wrong spec anywhere. Then two more sets
(`held_out_17`: trading-book prose, configs pasted from a backtesting tool, a teenager with
emoji, British English, hypotheticals, "whenever X I want the bot to Y"; `held_out_18`: a
model-portfolio newsletter, spreadsheet formulas, typo-ridden one-liners, texts in fragments,
constraints beside the rule, variations of famous strategies) were committed after those
changes and run once: 19/80 (24 %) with 2 wrong specs, and 17/80 (21 %). The wrong specs were
fixed at the root (a title no longer swallows a position size; a sell rule equal to the buy
rule is refused), then the general classes they showed, with 8 more development sentences:
held_out_17 46/80, held_out_18 25/80, the other sets unchanged, no wrong spec anywhere.

Twelfth round: back to the population the 90 % target names. `held_out_19` (ordinary retail
writers) and `held_out_20` (writers used to chatbots: prompts, rule lists, threads, reasons
first, polite requests) were committed and run once: 49/80 (61 %) with one wrong spec ("A and
either B or C" grouped as (A and B) or C) and 27/80 (34 %), after three annotation corrections
to the corpus's conventions. General readers first (a leftover clause that says nothing a spec
could hold is ignored and listed; a cap beside the rule is the position size; "either" opens a
group), then the classes the two sets showed, each widened to its class, with no development
sentences added (the tests are in test_offline_general_readers.py): held_out_19 77/80,
held_out_20 64/80, held_out_17 53/80, held_out_18 32/80, the other sets unchanged, no wrong
spec anywhere. Then `held_out_21` (ordinary writers again, written after those changes) was
committed and run once: 40/80 (50 %), no wrong spec; at the round's starting commit the same
set scores 37/80 (46 %). After the classes it showed, each widened to its class (one more wrong
spec found on the way and fixed at the root: a bare "the 20-period" after EMAs were named was
read as an SMA): held_out_21 66/80, held_out_17 54/80, the other sets unchanged. Then
`held_out_22` (ordinary writers once more, written after all of that) was committed and run
once at three commits: 31/80 (39 %) at the round's start, 36/80 (45 %) after the changes for
held_out_19 and _20, 37/80 (46 %) after those for held_out_21, with one wrong spec at each (a
month-end close read as the daily close), fixed at its root afterwards: 38/80.

Thirteenth round: ordinary writers three more times. `held_out_23` was committed and run at the
round's starting commit: 32/80 (40 %), no wrong spec (one sentence already in an earlier set was
then dropped from it: 31/79). `held_out_24`, written while the first changes for set 23 were
made, was run at the round's start and after those changes: 36/80 (45 %) both times, with three
wrong specs, each fixed at its root (a calendar rebalance "or whenever a weight drifts" now kept
in the spec and the code, `drift_or_schedule`; "monthly bars" read on monthly bars; a stray
"above" after "target 30%" no longer read as a condition). The classes of both sets were read,
each widened to its class and tested on sentences of its own (test_offline_round13.py):
held_out_23 65/79, held_out_24 56/80, held_out_22 46/80, held_out_21 67/80, held_out_15 63/80,
held_out_18 33/80, the other sets unchanged, no wrong spec anywhere. Then `held_out_25`
(ordinary writers, written blind after all of that) was committed and run at two commits: 34/80
(42 %) at the round's start, 37/80 (46 %) after the round, with one wrong spec at both (a weekly
chart's breakout read on daily bars), fixed at its root afterwards. Its classes were read the same
way (one more wrong spec found on the way, behind a refusal, and fixed at its root: "EMA(9) >
EMA(21) and close > SMA(200)" gave the bare "close" the EMA for a subject): 54/80. Then
`held_out_26` (ordinary writers, written blind after all of that) was committed and run at two
commits: 35/80 (44 %) at the round's start, 39/80 (49 %) after the work on sets 23-25, no wrong
spec; no change was made for it.

Fourteenth round: four sets of ordinary writers (27-30), written blind and run at the round's
starting commit (33b5fe0): 63/80 (79 %), 46/80 (57 %), 55/80 (69 %), 54/80 (68 %), with nine
annotations brought to the corpus's conventions first (no wrong spec). Sets 27 and 28 were read;
29 and 30 were kept unseen, run only at the start and the end. The round's main readers take a
clause as a bag of words over a closed lexicon (a rotation's filter in the writer's words, a
time exit, a portfolio's rebalancing, the sell rule said from the buy rule, a volatility target)
rather than as one more pattern: held_out_27 78/80, held_out_28 72/80; eight older sets rose by
one to three (16, 18, 20, 22-26); the unseen held_out_29 and held_out_30 56/80 each (+1, +2); no
wrong spec anywhere.

Fifteenth round: two more sets of ordinary writers (31-32), written blind from the corpus's
header and run at the round's starting commit (e2f322e): 60/80 (75 %) and 62/80 (78 %), 64/80
with two annotations brought to the conventions; one wrong spec of the parser ("buy if it
crosses above its 50-day or if its RSI is under 30. Sell on a 6% trailing stop." took the RSI
clause as the sell rule), fixed at its root. The round worked from 29 and 30 (unseen through the
fourteenth) and 32 (whose refusals were printed once at its first run), and kept 31 unseen.
More readers of whole clauses over closed lexicons (a stop, target or trailing stop said as a
sell rule; a minimum hold; the sell said as "move me to cash when it doesn't") and general
wordings: held_out_29 56 -> 75, held_out_30 56 -> 76, held_out_32 64 -> 78; ten older sets rose
by one to three; the unseen held_out_31 60 -> 63 (+3); no wrong spec anywhere.

Sixteenth round: six more blind sets, each written from the corpus's header only. Sets 33 (text
messages to a friend, a YouTube rule, numbered steps) and 34 (terse jargon, formal letters,
reasons given) were run at the round's starting commit (c45ba63): 49/80 and 50/80. Sets 35
(platforms' habits, ramblers, second-language writers) and 36 (ordinary people of many trades;
one case repeated a held_out_32 sentence and was removed: 79) were written during the round and
first run at 2d6d158: 45/80 and 65/79 (43 and 64 at c45ba63). Sets 37 (e-mails to a helper:
context first, a question after) and 38 (short plain rules of first-time users) were first run at
5b922e4: 31/80 and 73/80 (29 and 71 at c45ba63), with one wrong spec in 38 (also at c45ba63),
fixed at its root: two arrows joined by "and" ("a close below the lower band is a buy and a close
above the upper band is a sell") were read as one, swapping the buy and the sell. The round read
31, 33, 35 and 37; 34 and 36 were kept unseen (their answers never printed; one sentence of 36
was seen while removing the duplicate); 38's sentences were printed once by a diff script, its
failures never read. Readers: pasted tables (`tables.py`), indicators written as calls
("SMA(50)"), platforms' labels, a story of the writer's past and the rule said again ("in other
words"), ages, account sizes and 401k, questions of judgement, asides about what the writer
almost did, the writer's verb after its condition ("I am holding it", "I'm a buyer"), the
contractions typed without an apostrophe, rotation filters in a sentence's last clause, and
many wordings. Results: held_out_31 63 -> 76, 33 49 -> 76, 35 45 -> 75, 37 31 -> 57, 38 73 ->
74; nine older sets rose by one to five; the unseen held_out_34 50 -> 53 and held_out_36
64 -> 67 (from c45ba63); no wrong spec anywhere.

Seventeenth round: sets 39 (voice dictation, markdown pasted into one line), 40 (forum posts),
41 (an ordinary mix of a web form's users) and 42 (adversarial: traps for a careless reader, 20
of 80 to be refused) were written from the header alone and first run at the round's start
(1147ea2): 39/80, 56/80, 64/80 and 53/80, no wrong spec. The round read 34 and 36 (unseen
through the sixteenth), 38 and the remaining failures of 18, 22, 26, 35 and 37; 39-41 were
kept unseen (only counts of changed answers printed); 42's wrong specs would have been read
(none). Five wrong readings were found beside the corpus and fixed at their root: a bare
Bollinger width read as the period ("Bollinger bands, 2 std"), "unless B - then I stay in cash"
selling on not-B, "A and, on top of that, either B or C" losing its group, "only if C" after the
sell rule given to the sell (now refused), and an instruction to the system listed as ignored
(now refused). Results: held_out_34 53 -> 79, 36 67 -> 79, 38 74 -> 80, 37 57 -> 63, 22 53 ->
62, 26 49 -> 56, 18 38 -> 42; the unseen held_out_39 39 -> 51, 40 56 -> 57, 41 64 -> 65; 42 53 ->
53; no wrong spec anywhere.

Eighteenth round: three new blind sets, held_out_43 (a fresh sample of ordinary users), 44
(strategies restated from a source) and 45 ("the second try"), run at its start (97d6450): 66,
48 (one wrong spec, a weekday dropped with a title: that sentence read and fixed) and 51 of 80;
kept unseen through the round (counts only), ending at 66, 50 and 53. 39-41 were read: 51 ->
68, 57 -> 78, 65 -> 79. The spec gained `allocation.buy_once` ("buy and hold, never
rebalance"). Ten wrong readings of the base parser were found with sentences of the round's own
(test_offline_round18.py) and fixed at their root. Floors are now every set's score at the
round's end, rounded down.

Nineteenth round: two new blind sets, held_out_46 (ordinary users, a second sample) and 47
(beginners in their own words), run at its start (c1385f8): 65/79 and 65/80 (one wrong spec: a
close said after "the weekly close" read as the daily close, that sentence read and fixed), kept
unseen (counts only), ending at 67 and 71. 43-45 were read (66 -> 80, 50 -> 61, 53 -> 66). Two
sets were written in the round to be read, 48 (ordinary users) and 49 (beginners): 88 (one
"wrong spec" that was its facts, brought to the corpus's convention) and 75 of 100 at a9f501b,
96 and 97 at the end. A last blind set, 50 (the form's users, mixed), was written at the end and
run once at the last parser commit: 83/100, and 83/100 at c1385f8, the same sentences: the
round's readers carried nothing to it. Wrong readings of the base parser found with sentences of
the round's own are in test_offline_round19.py, each fixed at its root. Floors: every set's score
at the round's end, rounded down.

The twentieth round: sets 51 (ordinary users, a fourth sample) and 52 (beginners) were written
blind and run at its start (271dc48): 84/99 and 58/100. 51 was kept unseen; 52 was read (97 at
the end). 54 (experienced forum regulars) and 56 (beginners, a fourth sample) were written
mid-round to be read: 65 and 83 of 100 at first (64 and 79 at 271dc48), 95 and 94 at the end.
55 is adversarial, written by a helper told what each new reader does: no wrong spec (24 of 45
right at first, 31 at the end). 53 (mixed) was written mid-round, kept unseen and run once after
the last parser change: 82/99, against 78/99 at 271dc48. 51 ended at 86/99. Readers and their
refusals beside them are in test_offline_round20.py.

The twenty-first round: sets 57 (ordinary users, a fifth sample) and 58 (experienced and
beginners mixed) were written blind and run at its start (926821b): 89 and 73 of 100, kept
unseen. 51 and 53 were read (95/99 and 94/99 at the end). 59 (beginners) and 60 (experienced
shorthand) were written mid-round to be read: 67 and 64 of 100 at first, 86 and 87 at the end;
60 showed one real wrong spec (a monthly close compared with a sign read as the daily close),
fixed. 61 (the form's users) was written mid-round, kept unseen and run once after the last
parser change: 91/100, the same 91 sentences as at 926821b; 57 and 58 also gave at the end the
same sentences as at the start. Readers and their refusals beside them are in
test_offline_round21.py.

The twenty-second round: constructs read as grids of their parts (bench/construct_grids.py).
Sets 62 (ordinary users) and 63 (beginners and experienced shorthand) were written blind and run
at its start (14a123f): 89/99 and 77/99, kept unseen; 64 (the form's users) was written
mid-round, kept unseen and run once at the end: 92/99. All three gave the same sentences at both
ends. 57, 58 and 61 were read (93, 79, 93 at the end). Three wording grids written blind by
helpers measured what the corpus sets did not: the last, run once at the end, 52.3 % at the
round's start and 69.1 % at its end. Readers, the grids' samples and five wrong readings the
grids found (each fixed at its cause) are in test_offline_round22.py.

The twenty-third round: the constructs sets 62-64 failed on, as grids. Sets 65 (ordinary
users), 66 (beginners) and 67 (the form's users with shorthand and labelled notes) were written
blind and run at its start (f15e601): 90/100, 63/98, 82/100 with one wrong spec of the parser
(fixed), kept unseen: 91, 63, 84 at the end. 68 (mixed) was read: 85 -> 91/98; 62-64 were read:
92, 85, 98 at the end. A blind grid of the round's eight constructs kept unseen went from 36.4 %
to 51.7 %; the one read from, 28.8 % to 89.9 %. Readers and their refusals are in
test_offline_round23.py.

The twenty-fourth round: beginners as a class. Set 66 was read (63 -> 81/98, one more fact of
its own brought to the development set's convention) and set 69 (150 beginners' sentences) was
written blind to be read: 91/150 at the round's start (105e434) with two wrong specs ("above
both" kept one line; fixed), 120/150 at its end. Sets 70 (beginners of other kinds) and 71
(ordinary users) were written blind at the start and kept unseen: 75/100 (one "wrong spec" the
judge's notation: "sma210 lt price" is now read as "price gt sma210") and 85/99 (one wrong spec
of the parser, fixed); 76 and 86 at the end, each point a wrong spec fixed, none from the
classes read. Readers and their refusals are in test_offline_round24.py.

The twenty-fifth round read sets 70 and 71 (76 -> 100/100 and 86 -> 99/99) and worked on
mechanisms more than wordings: an idea said in loose words beside the precise rule is set
aside only when the rest is a whole strategy (`ideas`), a title's bare number is checked
against the spec's numbers, a bracket or "meaning" restatement is checked by reading it. The
rest of the corpus gained 42 sentences across 30 read sets, no wrong spec, none lost. Two wrong
readings were fixed (a hold with a control said as the only way out still sold on the negation;
"5 day RSI: buy QQQ when it's under 20" read the price). Sets 72 (ordinary users) and 73
(beginners), written blind at the start and kept unseen, stayed at 79/100 and 90/100, and sets
65 and 67 (unseen since the twenty-third round) at 91 and 84 -> 85. Readers and their refusals
are in test_offline_round25.py.

The twenty-sixth round read sets 72 and 73 (79 -> 98/100 and 90 -> 100/100) and worked on
mechanisms again: the story, reason or remark around a rule, and what someone else said before
the writer's own rule, are set aside only when the rest is a whole strategy (`asides`); the
comma a writer leaves out before what they do; pasted notes with pipes and arrows; weights
listed apart from their funds; dual momentum said as a comparison ("compare A with B ... and
hold the winner"); spelled thousands; a speller that keeps the first letter. The rest of the
corpus gained 26 sentences across 19 read sets, no wrong spec, none lost. Sets 74 and 75
(ordinary users of two kinds), written blind at the start and kept unseen, stayed at 84/99 and
86/100 (75's one more, 87, is its one wrong spec, read and fixed: "I look at SPY's monthly close.
If it is above the 10-month average I hold" read the daily close). Set 67 gained 85 -> 87 from
readers written without seeing it, then some of its failures were printed by mistake and it
counts as read (89). Readers and their refusals are in test_offline_round26.py.

The fifty-seven sets written blind (5-61) scored 46 %, 70 %, 65 %, 65 %, 59 %, 50 %, 69 %,
60 %, 59 %, 46 %, 19 %, 19 %, 24 %, 21 %, 61 %, 34 %, 50 %, 46 %, 40 %, 45 %, 46 % and 49 %
on their first runs (sets 25 and 26 after the round's work on the sets before them; 42 % and
44 % at its
start), then 79 %, 57 %, 69 % and 68 % (sets 27-30), 75 % and 78 % (31-32), 61 %, 62 %,
56 %, 82 %, 39 % and 91 % (33-38; 38 is short plain rules of first-time users), 49 %, 70 %,
80 % and 66 % (39-42; 42 is adversarial), 82 %, 60 % and 64 % (43-45), 82 %, 81 %, 88 %,
75 % and 83 % (46-50; 48 and 49 after part of the round's work), 85 %, 58 %, 83 % (53, at
the round's end; 79 % at its start), 65 % and 83 % (51-56 but the adversarial 55; 54 and 56
after part of the round's work), 89 %, 73 %, 67 %, 64 % and 91 % (57-61; 61 at the round's
end, the same sentences as at its start): each
new population of writers brings phrasing no earlier set had, and the further a population is
from the earlier ones (code, configs, spreadsheets, emoji, letters), the lower the first run.
Even ordinary writers start at 40-61 %, and a round that lifts its own sets by 25 to 46 points
lifts the next unseen set of the same population by 1 to 6 (+6 and +1 in the twelfth round, +4
and +5 in the thirteenth, +1 and +2 in the fourteenth, +3 in the fifteenth, +3 and +3 in the
sixteenth, +1 and +1 in the seventeenth for prose; +12 for set 39, a form of writing -- dictation,
markdown -- read as a class; +0, +2 and +2 in the eighteenth, from a spec construct and a wrong
reading fixed, not from wordings; +2 and +6 in the nineteenth, and +0 on set 50, written at its
end; +2 on set 51 and +4 on set 53 in the twentieth; +0, +0 and +0 on sets 57, 58 and 61 in
the twenty-first, the same sentences right at its end as at its start). The 90 % target on
unseen text is not met by the rule parser, except for the plainest population (set 38, short
one-rule sentences: 89 % at the sixteenth round's start) and one sample of the form's users
(61: 91 %); an ordinary mix of a web form's users is at 81-91 % on a first run (41, 43, 46,
48, 50, 51, 53, 57, 61), beginners at 67-83 % (47, 49, 56, 59; 52, chattier, at 58 %),
experienced shorthand at 64-65 % (54, 60). Wrong specs on first runs stay rare and each was
fixed at its root, not for its sentence.
"""

from __future__ import annotations

import pytest
from corpus_support import STORED_SYMBOLS, Outcome, load_corpus, run_case, run_suggestion, score
from layout_support import assert_laid_out_as_black

from generator.providers.offline import ParseError, parse
from generator.spec import StrategySpec

CASES = load_corpus()
# each set's outcomes, kept for the layout check at the end of this file (the file runs on one
# worker, in order: `--dist loadfile`), so the corpus is not parsed again for it
OUTCOMES: dict[str, list[Outcome]] = {}
FLOORS = {"development": 0.99, "held_out": 0.97, "held_out_2": 1, "held_out_3": 0.98,
          "held_out_4": 1, "held_out_5": 0.97, "held_out_6": 1, "held_out_7": 0.96,
          "held_out_8": 0.98, "held_out_9": 0.98, "held_out_10": 0.96, "held_out_11": 0.98,
          "held_out_12": 0.97, "held_out_13": 0.96, "held_out_14": 0.95, "held_out_15": 0.86,
          "held_out_16": 0.78, "held_out_17": 0.73, "held_out_18": 0.58, "held_out_19": 0.97,
          "held_out_20": 0.87, "held_out_21": 0.87, "held_out_22": 0.8, "held_out_23": 0.87,
          "held_out_24": 0.73, "held_out_25": 0.77, "held_out_26": 0.73, "held_out_27": 1,
          "held_out_28": 0.96, "held_out_29": 0.96, "held_out_30": 1, "held_out_31": 0.95,
          "held_out_32": 0.97, "held_out_33": 0.97, "held_out_34": 0.98, "held_out_35": 0.97,
          "held_out_36": 1, "held_out_37": 0.87, "held_out_38": 1, "held_out_39": 0.9,
          "held_out_40": 0.97, "held_out_41": 0.98, "held_out_42": 0.72, "held_out_43": 1,
          "held_out_44": 0.82, "held_out_45": 0.87, "held_out_46": 0.93, "held_out_47": 0.92,
          "held_out_48": 0.98, "held_out_49": 0.97, "held_out_50": 0.95, "held_out_51": 0.95,
          "held_out_52": 0.97, "held_out_53": 0.97, "held_out_54": 0.96, "held_out_55": 0.71,
          "held_out_56": 0.98, "held_out_57": 0.95, "held_out_58": 0.82, "held_out_59": 0.91,
          "held_out_60": 0.89, "held_out_61": 0.95, "held_out_62": 0.96, "held_out_63": 0.91,
          "held_out_64": 1, "held_out_65": 0.91, "held_out_66": 0.83, "held_out_67": 0.89,
          "held_out_68": 0.94, "held_out_69": 0.83, "held_out_70": 1, "held_out_71": 1,
          "held_out_72": 0.98, "held_out_73": 1, "held_out_74": 1, "held_out_75": 1,
          "held_out_76": 1, "held_out_77": 0.98, "held_out_78": 0.87, "held_out_79": 0.87,
          "held_out_80": 0.77, "held_out_81": 0.95, "held_out_82": 0.98, "held_out_83": 0.85,
          "held_out_84": 0.71, "held_out_85": 0.88, "held_out_86": 1, "held_out_87": 0.91,
          "held_out_88": 0.56, "held_out_89": 0.96, "held_out_90": 0.81, "held_out_91": 0.77,
          "held_out_92": 0.75, "held_out_93": 0.68, "held_out_94": 0.64, "held_out_95": 0.91,
          "held_out_96": 0.82, "held_out_97": 0.72, "held_out_98": 0.6, "held_out_99": 0.97,
          "held_out_100": 0.92, "held_out_101": 0.6, "held_out_102": 0.93,
          "held_out_103": 0.67, "held_out_104": 0.54, "held_out_105": 0.67, "held_out_106": 0.59,
          "held_out_107": 0.47, "held_out_108": 0.65,
          "held_out_109": 1, "held_out_110": 0.86,
          "held_out_111": 0.94, "held_out_112": 0.85}
# sets whose wrong specs are asserted to be none: all of them since the third round
NO_WRONG_SPEC = set(FLOORS)


def test_the_corpus_is_large_and_split() -> None:
    texts = [c.text for c in CASES]
    assert len(texts) >= 150
    assert len(set(texts)) == len(texts), "a sentence is listed twice"
    sets = {c.set for c in CASES}
    assert sets == set(FLOORS)
    for case in CASES:
        assert case.facts, f"line {case.line}: a case with no facts"


@pytest.mark.parametrize("which", sorted(FLOORS))
def test_share_understood(which: str, capsys: pytest.CaptureFixture[str]) -> None:
    outcomes = [run_case(c) for c in CASES if c.set == which]
    OUTCOMES[which] = outcomes
    result = score(outcomes)
    with capsys.disabled():
        print(f"\n{which}: {result['right']}/{result['cases']} understood "
              f"({result['share']:.0%}); refused wrongly {result['refused_wrongly']}, "
              f"wrong spec {result['wrong_spec']}")
    wrong = [f"line {o.case.line}: {o.case.text!r}: {o.why}" for o in outcomes
             if not o.ok and not o.refused]
    # a refusal that set remarks apart (`generator.remarks_apart`): the completion it suggests
    # must read as the case means, or a user who sends it as it is gets another strategy
    sent = [(o, run_suggestion(o)) for o in outcomes if o.suggestion and not o.case.refuse]
    with capsys.disabled():
        if sent:
            print(f"{which}: {sum(bool(s and s.ok) for _, s in sent)} more one step away "
                  "(remarks set apart, the completion sent as it is)")
    wrong += [f"line {o.case.line}: {o.case.text!r}: suggested {o.suggestion!r}: "
              f"{s.why if s else 'no answer'}" for o, s in sent if not (s and s.ok)]
    assert result["share"] >= FLOORS[which], result
    if which in NO_WRONG_SPEC:
        assert not wrong, "specs with wrong facts:\n" + "\n".join(wrong)


def _any_spec(outcome: Outcome) -> StrategySpec | None:
    """The spec the case gave, or for a refused case what the parser reads with shorts allowed
    and the store aside (a short the server refuses is still a structure the renderer has)."""
    if outcome.spec is not None:
        return outcome.spec
    case = outcome.case
    try:
        return parse(case.text, allow_short=True,
                     known_symbols=set(STORED_SYMBOLS) | set(case.facts.get("store", "").split()))
    except ParseError:
        return None


def test_every_spec_the_corpus_gives_is_laid_out_as_black_lays_it_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One spec of each structure the corpus gives renders to the bytes black makes of the raw
    template, and without black (`layout_support`). Sets whose test did not run here first (a
    run with -k) are run now."""
    for which in sorted(FLOORS):
        if which not in OUTCOMES:
            OUTCOMES[which] = [run_case(c) for c in CASES if c.set == which]
    specs = (_any_spec(o) for outcomes in OUTCOMES.values() for o in outcomes)
    assert assert_laid_out_as_black((s for s in specs if s is not None), monkeypatch) > 1000
