"""DeliveryState: exactly once per socket across live frames and log replays, in log order."""

from __future__ import annotations

import json

from api_gateway_service.realtime.delivery import DeliveryState, Frame, LiveOutcome
from huleedu_service_libs.realtime import LOG_START, LogEntry, LogRead, with_stream_id


def frame(event_id: str, stream_id: str | None = None) -> Frame:
    message = json.dumps({"type": "notification", "event_id": event_id})
    text = with_stream_id(message, stream_id) if stream_id else message
    parsed = Frame.parse(text)
    assert parsed is not None
    return parsed


def read(*frames: Frame, complete: bool = True, tail: str | None = None) -> LogRead:
    entries = tuple(LogEntry(str(f.stream_id), str(f.event_id), f.text) for f in frames)
    last = tail or (entries[-1].stream_id if entries else LOG_START)
    return LogRead(entries, complete, last)


def state() -> DeliveryState:
    return DeliveryState(remember=512, buffer_limit=4)


def ids(frames: list[Frame]) -> list[str | None]:
    return [f.event_id for f in frames]


class TestFrames:
    def test_parse_reads_the_ids_and_refuses_non_objects(self) -> None:
        parsed = frame("e1", "17-3")

        assert (parsed.kind, parsed.event_id, parsed.stream_id) == ("notification", "e1", "17-3")
        assert Frame.parse("not json") is None
        assert Frame.parse("[1, 2]") is None

    def test_a_malformed_stream_id_is_ignored_not_trusted(self) -> None:
        parsed = Frame.parse('{"type": "x", "event_id": "e", "stream_id": "(0-0"}')

        assert parsed is not None
        assert parsed.stream_id is None


class TestLive:
    def test_live_frames_go_out_once_per_event_id(self) -> None:
        socket = state()

        outcomes = [socket.live(frame(e)) for e in ("e1", "e1", "e2")]

        assert outcomes == [LiveOutcome.DELIVER, LiveOutcome.DUPLICATE, LiveOutcome.DELIVER]

    def test_frames_without_an_event_id_always_go_out(self) -> None:
        socket = state()
        ping = Frame.parse('{"type": "system"}')
        assert ping is not None

        assert [socket.live(ping), socket.live(ping)] == [LiveOutcome.DELIVER] * 2

    def test_the_cursor_follows_the_newest_stream_id_and_never_goes_back(self) -> None:
        socket = state()

        socket.live(frame("e1", "5-0"))
        socket.live(frame("e2", "12-1"))
        socket.live(frame("e0", "9-0"))

        assert socket.cursor == "12-1"

    def test_the_oldest_event_ids_are_forgotten_beyond_the_memory(self) -> None:
        socket = DeliveryState(remember=2, buffer_limit=4)
        for event_id in ("e1", "e2", "e3"):
            socket.live(frame(event_id))

        assert socket.live(frame("e3")) is LiveOutcome.DUPLICATE
        assert socket.live(frame("e1")) is LiveOutcome.DELIVER


class TestSync:
    def test_replay_then_the_held_live_frames_each_event_once_in_log_order(self) -> None:
        socket = state()
        socket.live(frame("e1", "1-0"))
        socket.begin_sync()
        # e3 arrives live while the log read (which also returns it) is in flight.
        held = [socket.live(frame("e3", "3-0")), socket.live(frame("e4", "4-0"))]

        replayed = socket.replay(read(frame("e2", "2-0"), frame("e3", "3-0")))
        drained = [socket.next_buffered(), socket.next_buffered()]
        socket.end_sync()

        assert held == [LiveOutcome.BUFFERED] * 2
        assert ids(replayed) == ["e2", "e3"]
        assert drained[0] is not None
        assert drained[0].event_id == "e4"
        assert drained[1] is None
        assert socket.cursor == "4-0"
        assert socket.live(frame("e5", "5-0")) is LiveOutcome.DELIVER

    def test_a_replay_skips_what_the_socket_already_had(self) -> None:
        socket = state()
        for n in (1, 2, 3):
            socket.live(frame(f"e{n}", f"{n}-0"))
        socket.begin_sync()

        # The client resumed from e0: the log returns everything, the socket had e1..e3.
        replayed = socket.replay(read(*(frame(f"e{n}", f"{n}-0") for n in range(5))))

        assert ids(replayed) == ["e0", "e4"]

    def test_an_empty_replay_moves_a_new_socket_to_the_tail(self) -> None:
        socket = state()
        socket.begin_sync()

        assert socket.replay(read(tail="41-0")) == []
        assert socket.cursor == "41-0"

    def test_a_new_socket_on_an_empty_log_starts_before_any_entry(self) -> None:
        socket = state()
        socket.begin_sync()

        socket.replay(read())

        assert socket.cursor == LOG_START

    def test_held_frames_beyond_the_limit_overflow(self) -> None:
        socket = state()
        socket.begin_sync()

        outcomes = [socket.live(frame(f"e{n}")) for n in range(5)]

        assert outcomes == [LiveOutcome.BUFFERED] * 4 + [LiveOutcome.OVERFLOW]
