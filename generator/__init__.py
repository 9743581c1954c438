"""The generator: plain-English strategy text → validated `StrategySpec` → Lumibot code.

This package owns everything up to a file that could be written: the spec (`spec`), the
providers that fill it (`providers`), its plain-English summary (`describe`), the prompts sent
to models (`prompts`), rendering it from the templates (`render`), the static validation gate
(`validate`), and `pipeline`, which chains them. It depends on `core` only.
"""
