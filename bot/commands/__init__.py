"""Chat command handlers, one module per feature: `async def name(cmd: Command, ctx: Context) -> Reply`.

They return plain text and never markup: escaping belongs to each adapter's renderer.
`bot.router.build_router` wires them.
"""
