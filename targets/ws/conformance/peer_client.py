# The peer for the conformance suite: Python's `websockets` as an echo client.
# Usage: peer_client.py ws://HOST:PORT COUNT: connects to /0 .. /COUNT-1 in
# turn, echoing every message until the connection closes.
import asyncio
import sys

import websockets


async def main(base, count):
    for i in range(count):
        try:
            async with websockets.connect(f"{base}/{i}", compression=None, ping_interval=None,
                                          max_size=2**20, close_timeout=2,
                                          open_timeout=5) as ws:
                async for message in ws:
                    await ws.send(message)
        except Exception:
            pass
    print("done", flush=True)


asyncio.run(main(sys.argv[1], int(sys.argv[2])))
