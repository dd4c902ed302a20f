"""The client lists the writes a thread sends while recording, each with the request id Twilio answered."""

from __future__ import annotations

import contextlib
import threading

from verifyctl.client import Credentials, VerifyClient
from verifyctl.client.exchanges import Exchange, request_id_of
from verifyctl.emulator import EmulatorServer
from verifyctl.errors import ApiError


def test_each_write_on_the_recording_thread_is_listed_with_the_logged_request_id(
    emulator: EmulatorServer,
) -> None:
    sid, token = emulator.accounts[0]
    with VerifyClient(emulator.base_url, Credentials(sid, token, sid), parallelism=2) as client:
        emulator.clear_requests()
        with client.recording() as writes:
            service = client.create("/v2/Services", [("FriendlyName", "Recorded")])["sid"]
            client.list("/v2/Services", "services")  # a read is not a write: not listed
            client.update(f"/v2/Services/{service}", [("CodeLength", "7")])
            other = threading.Thread(target=client.create, args=("/v2/Services", [("FriendlyName", "Other")]))
            other.start()
            other.join()  # another thread's write is not this one's
            with contextlib.suppress(ApiError):
                client.update(f"/v2/Services/{service}", [("CodeLength", "99")])
            client.delete(f"/v2/Services/{service}")
        client.create("/v2/Services", [("FriendlyName", "After")])  # not recording any more

    logged: dict[tuple[str, str, int], str] = {}
    for r in emulator.requests():
        logged.setdefault((r["method"], r["path"], r["status"]), r["request_id"])  # the first of each
    assert writes == [
        Exchange("POST", 201, logged[("POST", "/v2/Services", 201)]),
        Exchange("POST", 200, logged[("POST", f"/v2/Services/{service}", 200)]),
        Exchange("POST", 400, logged[("POST", f"/v2/Services/{service}", 400)]),
        Exchange("DELETE", 204, logged[("DELETE", f"/v2/Services/{service}", 204)]),
    ]
    assert all(request_id_of(write.request_id) for write in writes)


def test_only_a_twilio_request_id_is_passed_on() -> None:
    assert request_id_of("RQ" + "0a" * 16) == "RQ" + "0a" * 16
    for value in (None, "", "RQ123", "RQ" + "0" * 32 + "\n", "<script>", "RQ" + "g" * 32):
        assert request_id_of(value) is None
