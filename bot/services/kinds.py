"""The kinds of outbox message (what the bot sends on its own initiative besides reminders).

Services write these with the event that causes them; `scheduler.notices` renders each.
"""

from __future__ import annotations

RED_FLAG_ALERT = "red_flag_alert"  # urgent: to the client's therapist (+ RED_FLAG_ALSO_NOTIFY)
EMERGENCY_ADVICE = "emergency_advice"  # sent directly to the client first, recorded here
TREND_ALERT = "trend_alert"
RELAY_TO_CLIENT = "relay_to_client"
RELAY_TO_THERAPIST = "relay_to_therapist"
RELAY_UNDELIVERED = "relay_undelivered"  # to the therapist: their message could not be sent
EXERCISE_QUESTION = "exercise_question"
CLIENT_BLOCKED = "client_blocked"
CLIENT_JOINED = "client_joined"
CLIENT_LEFT = "client_left"
DATA_REASSIGNED = "data_reassigned"
PAUSED_BY_THERAPIST = "paused_by_therapist"  # to the client: their therapist paused them
RESUMED_BY_THERAPIST = "resumed_by_therapist"
PLAIN_TEXT = "text"  # text the handler rendered (e.g. "your prescription changed")
