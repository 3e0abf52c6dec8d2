#!/usr/bin/env python3
"""Posts N concurrent unauthenticated 10 MiB bodies to a keepwarm server's e-mail webhook and prints
the server's resident memory before, at its peak and after (issue 16, defect 2).

Usage: scripts/flood-email-webhook.py PID PORT [N]
Talks to 127.0.0.1 only. Each client announces 10 MiB, then sends it in 64 KiB pieces until the
server answers or closes; it never authenticates.
"""
import asyncio
import sys
import time

SIZE = 10 * 1024 * 1024
PIECE = b"x" * 65536


def rss_kib(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


async def post(port, answers):
    try:
        await post_once(port, answers)
    except Exception as e:  # noqa: BLE001 - every failure is an answer to count
        answers.append((type(e).__name__, 0))


async def post_once(port, answers):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = (
        "POST /webhooks/email?token=wrong HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: message/rfc822\r\nContent-Length: {SIZE}\r\n\r\n"
    ).encode()
    writer.write(head)
    answer = asyncio.create_task(reader.readline())
    sent = 0
    try:
        while sent < SIZE and not answer.done():
            writer.write(PIECE)
            await writer.drain()
            sent += len(PIECE)
    except (ConnectionResetError, BrokenPipeError):
        pass
    try:
        status = await asyncio.wait_for(answer, 10)
    except (asyncio.TimeoutError, ConnectionResetError, BrokenPipeError):
        status = b"(no answer)"
    answers.append((status.decode(errors="replace").strip(), sent))
    writer.close()


async def main():
    pid, port = int(sys.argv[1]), int(sys.argv[2])
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    before = rss_kib(pid)
    peak = before
    answers = []
    started = time.monotonic()
    tasks = [asyncio.create_task(post(port, answers)) for _ in range(n)]
    while not all(t.done() for t in tasks):
        peak = max(peak, rss_kib(pid))
        await asyncio.sleep(0.05)
    await asyncio.gather(*tasks, return_exceptions=True)
    took = time.monotonic() - started
    await asyncio.sleep(1)
    after = rss_kib(pid)
    statuses = {}
    for status, _ in answers:
        statuses[status] = statuses.get(status, 0) + 1
    sent = sum(s for _, s in answers) / (1024 * 1024)
    print(f"{n} posts in {took:.1f} s; answers {statuses}; {sent:.0f} MiB sent by clients")
    print(f"server RSS: before {before / 1024:.1f} MB, peak {peak / 1024:.1f} MB, after {after / 1024:.1f} MB")


asyncio.run(main())
