"""LLM trading agents at run time: the market snapshot (`snapshot`), the decision contract
(`decision`), the offline baseline (`baseline`), the local channel to the decision service
(`channel`) and the helpers rendered agent strategies import (`strategy_api`)."""
