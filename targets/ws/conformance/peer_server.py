# The peer for the conformance suite: Python's `websockets` as an echo server.
# Prints its port, serves until stdin closes. No compression, no keepalive,
# so every frame on the wire is the script's.
import asyncio
import sys

import websockets


async def echo(ws, path=None):
    try:
        async for message in ws:
            await ws.send(message)
    except websockets.ConnectionClosed:
        pass


async def main():
    async with websockets.serve(echo, "127.0.0.1", 0, compression=None, ping_interval=None,
                                max_size=2**20, close_timeout=2) as server:
        print(server.sockets[0].getsockname()[1], flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


asyncio.run(main())
