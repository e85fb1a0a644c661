"""SMTP sink for the tests (aiosmtpd): every accepted mail is written to DIR as one .eml
file; recipients starting with «rejet-spf@» or «inconnu@» are refused as a real server
would. Prints «pret» once listening. SIGTERM stops it as a mail server stops: it stops
listening, answers «421 shutting down» to any further command, lets the answers already
given reach the clients, then exits.

usage: smtp_sink.py PORT DIR [--count-only]
"""
import asyncio
import os
import signal
import sys
import time

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, out, count_only):
        self.out = out
        self.count_only = count_only
        self.n = 0
        self.closing = False

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.closing:
            return "421 4.3.2 Service shutting down"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.closing:
            return "421 4.3.2 Service shutting down"
        if address.startswith("rejet-spf@"):
            return "550 5.7.23 Message rejected due to SPF policy: the sender domain does not designate this host"
        if address.startswith("inconnu@"):
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.closing:
            return "421 4.3.2 Service shutting down"
        self.n += 1
        if not self.count_only:
            name = "%d-%d-%d" % (time.time_ns(), os.getpid(), self.n)
            tmp = os.path.join(self.out, name + ".tmp")
            with open(tmp, "wb") as f:
                f.write(envelope.original_content)
            os.replace(tmp, os.path.join(self.out, name + ".eml"))
        return "250 2.0.0 Ok: queued as %d-%d" % (os.getpid(), self.n)


async def main():
    port, out = int(sys.argv[1]), sys.argv[2]
    os.makedirs(out, exist_ok=True)
    sink = Sink(out, "--count-only" in sys.argv)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(sink, hostname="sink.test", decode_data=False, data_size_limit=None),
        "127.0.0.1", port, reuse_address=True)
    stopped = asyncio.Event()

    def stop():
        sink.closing = True
        server.close()
        loop.call_later(0.3, stopped.set)

    loop.add_signal_handler(signal.SIGTERM, stop)
    print("pret", flush=True)
    await stopped.wait()


asyncio.run(main())
