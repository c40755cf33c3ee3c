#!/usr/bin/env python3
"""Load test for `smtplab serve`: 200 concurrent sessions on loopback, most
delivering messages, some misbehaving (slow, abandoning mid-DATA, sending
garbage, going idle, sending a 100 MB body), then a burst past the session
limit. Checks that every accepted message is in the spool exactly once and
no refused one is, and prints sessions, messages per second and the
server's peak memory.

Usage: tests/load/load.py [--binary target/release/smtplab] [--sessions 200]
"""
import argparse
import asyncio
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    def __init__(self, port):
        self.port = port

    async def open(self):
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def reply(self, timeout=30):
        lines = []
        while True:
            line = await asyncio.wait_for(self.reader.readline(), timeout)
            if not line:
                return lines
            lines.append(line.decode("latin-1").rstrip("\r\n"))
            if len(line) < 4 or line[3:4] != b"-":
                return lines

    async def command(self, text):
        self.writer.write(text.encode() + b"\r\n")
        await self.writer.drain()
        return await self.reply()

    def close(self):
        try:
            self.writer.close()
        except Exception:
            pass


def code(lines):
    return int(lines[-1][:3]) if lines and lines[-1][:3].isdigit() else 0


async def connect(port):
    """A client past the server's greeting."""
    client = Client(port)
    await client.open()
    await client.reply()
    return client


async def start_data(client, name):
    """EHLO, MAIL, RCPT to mom and DATA: the server now waits for the message."""
    await client.command(f"EHLO {name}.load.example")
    await client.command(f"MAIL FROM:<{name}@load.example>")
    await client.command("RCPT TO:<mom@example.com>")
    await client.command("DATA")


async def collect_codes(client, timeout, replies):
    """Records the code of every reply until the server closes."""
    try:
        while True:
            lines = await client.reply(timeout=timeout)
            if not lines:
                break
            replies.append(code(lines))
    except asyncio.TimeoutError:
        pass


async def good(port, name, messages, accepted, refused, slow=False):
    client = await connect(port)
    await client.command(f"EHLO {name}.load.example")
    for n in range(messages):
        marker = f"{name}-{n}"
        if code(await client.command(f"MAIL FROM:<{name}@load.example>")) != 250:
            refused.append(marker)
            continue
        await client.command("RCPT TO:<mom@example.com>")
        await client.command("DATA")
        body = f"Subject: load {marker}\r\nX-Load-Id: {marker}\r\n\r\n" + "".join(
            f"line {i} of {marker}\r\n" for i in range(random.randint(5, 60))) + ".\r\n"
        if slow:
            for i in range(0, len(body), 7):
                client.writer.write(body[i:i + 7].encode())
                await client.writer.drain()
                await asyncio.sleep(0.01)
        else:
            client.writer.write(body.encode())
            await client.writer.drain()
        lines = await client.reply()
        (accepted if code(lines) == 250 else refused).append(marker)
    await client.command("QUIT")
    client.close()


async def abandon(port, name, refused):
    client = await connect(port)
    await start_data(client, name)
    client.writer.write(f"Subject: abandoned\r\nX-Load-Id: {name}\r\n\r\nhalf a message\r\n".encode())
    await client.writer.drain()
    refused.append(name)
    client.close()


async def garbage(port, name, replies):
    client = await connect(port)
    client.writer.write(bytes(random.randrange(256) for _ in range(4000)) + b"\r\n" + b"BOGUS\r\n" * 30)
    await client.writer.drain()
    await collect_codes(client, 10, replies)
    client.close()


async def idle(port, replies):
    client = await connect(port)
    await collect_codes(client, 60, replies)
    client.close()


async def huge(port, name, replies, megabytes):
    client = await connect(port)
    await start_data(client, name)
    megabyte = (b"z" * 998 + b"\r\n") * 1024
    client.writer.write(f"X-Load-Id: {name}\r\n\r\n".encode() + megabyte)
    for _ in range(megabytes - 1):
        client.writer.write(megabyte)
        await client.writer.drain()
    client.writer.write(b".\r\n")
    await client.writer.drain()
    replies.append(code(await client.reply(timeout=120)))
    await client.command("QUIT")
    client.close()


async def burst(port, count, replies):
    async def one():
        try:
            client = Client(port)
            await client.open()
            lines = await client.reply(timeout=30)
            replies.append(code(lines))
            await asyncio.sleep(2)
            client.close()
        except Exception:
            replies.append(-1)
    await asyncio.gather(*(one() for _ in range(count)))


def peak_memory_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


async def main(args):
    spool = tempfile.mkdtemp(prefix="smtplab-load-")
    world = json.load(open(os.path.join(ROOT, "worlds/corpus.json")))
    world["message_size_limit"] = 20 * 1024 * 1024
    world_path = os.path.join(spool, "world.json")
    json.dump(world, open(world_path, "w"))
    port = free_port()
    server = subprocess.Popen([args.binary, "serve", "--listen", f"127.0.0.1:{port}",
                               "--personality", "sendmail-8.17.1.9-debian", "--world", world_path,
                               "--spool", os.path.join(spool, "mail"), "--max-sessions", str(args.sessions + 20),
                               "--idle-timeout", "5"], stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port)).close()
            break
        except OSError:
            time.sleep(0.05)
    accepted, refused, garbage_replies, idle_replies, huge_replies = [], [], [], [], []
    n = args.sessions
    kinds = {"good": n * 70 // 100, "slow": n * 8 // 100, "abandon": n * 8 // 100, "garbage": n * 6 // 100,
             "idle": n * 4 // 100, "huge": 2}
    kinds["good"] += n - sum(kinds.values())
    tasks = []
    for i in range(kinds["good"]):
        tasks.append(good(port, f"good{i}", 3, accepted, refused))
    for i in range(kinds["slow"]):
        tasks.append(good(port, f"slow{i}", 1, accepted, refused, slow=True))
    for i in range(kinds["abandon"]):
        tasks.append(abandon(port, f"abandon{i}", refused))
    for i in range(kinds["garbage"]):
        tasks.append(garbage(port, f"garbage{i}", garbage_replies))
    for i in range(kinds["idle"]):
        tasks.append(idle(port, idle_replies))
    for i in range(kinds["huge"]):
        tasks.append(huge(port, f"huge{i}", huge_replies, args.huge_megabytes))
    started = time.monotonic()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    elapsed = time.monotonic() - started
    errors = [r for r in results if isinstance(r, Exception)]
    burst_replies = []
    await burst(port, args.sessions + 40, burst_replies)
    peak = peak_memory_kib(server.pid)
    server.terminate()
    server.wait()

    seen = {}
    mail_dir = os.path.join(spool, "mail")
    for name in os.listdir(mail_dir) if os.path.isdir(mail_dir) else []:
        for marker in re.findall(r"^X-Load-Id: (\S+)$", open(os.path.join(mail_dir, name), encoding="latin-1").read(), re.M):
            seen[marker] = seen.get(marker, 0) + 1
    missing = [m for m in accepted if seen.get(m) != 1]
    leaked = [m for m in refused if m in seen]
    if args.huge_megabytes * 1024 * 1024 > world["message_size_limit"]:
        leaked += [f"huge{i}" for i in range(kinds["huge"]) if f"huge{i}" in seen]
    shutil.rmtree(spool)

    print(f"sessions: {sum(kinds.values())} concurrent ({', '.join(f'{v} {k}' for k, v in kinds.items())})")
    print(f"messages accepted: {len(accepted)} in {elapsed:.1f} s = {len(accepted) / elapsed:.1f} messages/s")
    print(f"in the spool exactly once: {len(accepted) - len(missing)} of {len(accepted)}; refused or abandoned found in the spool: {len(leaked)}")
    print(f"garbage clients got: {sorted(set(garbage_replies))}; idle clients got: {sorted(set(idle_replies))}; "
          f"{args.huge_megabytes} MB bodies got: {huge_replies}")
    over = sum(1 for c in burst_replies if c == 421)
    print(f"burst of {len(burst_replies)} connections past a limit of {args.sessions + 20}: {over} refused with 421")
    print(f"server peak memory (VmHWM): {peak / 1024:.1f} MiB")
    too_big = args.huge_megabytes * 1024 * 1024 > world["message_size_limit"]
    ok = not errors and not missing and not leaked and accepted and all(c == (552 if too_big else 250) for c in huge_replies) \
        and 0 not in garbage_replies and 421 in garbage_replies and 421 in idle_replies and over > 0
    if errors:
        print("client errors:", errors[:5])
    print("load test:", "passed" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=os.path.join(ROOT, "target/release/smtplab"))
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--huge-megabytes", type=int, default=100)
    sys.exit(asyncio.run(main(parser.parse_args())))
