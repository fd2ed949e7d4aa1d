"""Draw the stick-figure diagram for every exercise in content/exercises.

Run ``.venv/bin/python scripts/draw_exercises.py`` (or ``make images``) after changing a pose;
the PNGs are checked in beside the Markdown so the bot never draws at run time.

Each figure is a side view on a floor line: the moving body in dark blue (the far-side limbs a
lighter blue), the start position dashed in grey where that helps, red arrows for the
movement, and an orange patch where the client should feel the stretch or the work.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Circle, Ellipse, FancyArrowPatch, FancyBboxPatch, Polygon
from matplotlib.transforms import Bbox

Point = tuple[float, float]

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content" / "exercises"

WIDTH_PX, HEIGHT_PX, DPI = 800, 600, 100
# Drawing units: 12 × 9, the same 4:3 shape as the image, so circles stay round.
X_MAX, Y_MAX = 12.0, 9.0
FLOOR_Y = 1.5
FLOOR_DEPTH = 0.45
VIEW_PADDING = 0.35
MIN_VIEW_WIDTH = 8.0

NEAR = "#1f3f77"
FAR = "#7f9cc9"
GHOST = "#b5b5b5"
ARROW = "#d62828"
FEEL = "#f4a261"
PROP = "#8d6e63"
TEXT = "#222222"

LIMB_WIDTH = 7.0
HEAD_RADIUS = 0.45

# Segment lengths in drawing units, in adult proportions (shoulder-to-hip = 2.4).
TORSO = 2.4
NECK = 0.3
THIGH = 1.9
SHIN = 1.9
FOOT = 0.45
UPPER_ARM = 1.4
FOREARM = 1.25


def toward(start: Point, angle_deg: float, length: float) -> Point:
    """The point ``length`` away from ``start`` at ``angle_deg`` (0 = right, 90 = up)."""
    angle = math.radians(angle_deg)
    return (start[0] + length * math.cos(angle), start[1] + length * math.sin(angle))


def angle_of(start: Point, end: Point) -> float:
    return math.degrees(math.atan2(end[1] - start[1], end[0] - start[0]))


def distance(start: Point, end: Point) -> float:
    return math.hypot(end[0] - start[0], end[1] - start[1])


def chain(start: Point, angles: Sequence[float], lengths: Sequence[float]) -> list[Point]:
    points = [start]
    for angle, length in zip(angles, lengths, strict=True):
        points.append(toward(points[-1], angle, length))
    return points


def reach(start: Point, target: Point, first: float, second: float, bend: int) -> list[Point]:
    """A two-segment limb from ``start`` towards ``target``; ``bend`` ±1 picks the elbow side.

    Out of reach, the limb points straight at the target at full length.
    """
    span = min(distance(start, target), first + second - 1e-6)
    span = max(span, abs(first - second) + 1e-6)
    direction = angle_of(start, target)
    cos_joint = (first**2 + span**2 - second**2) / (2 * first * span)
    joint_angle = math.degrees(math.acos(max(-1.0, min(1.0, cos_joint))))
    joint = toward(start, direction + bend * joint_angle, first)
    return [start, joint, toward(joint, angle_of(joint, target), second)]


def arm_to(shoulder: Point, hand: Point, bend: int) -> list[Point]:
    return reach(shoulder, hand, UPPER_ARM, FOREARM, bend)


def leg_to(hip: Point, ankle: Point, bend: int, foot_deg: float) -> list[Point]:
    leg = reach(hip, ankle, THIGH, SHIN, bend)
    return [*leg, toward(leg[-1], foot_deg, FOOT)]


@dataclass
class Body:
    """A stick figure: joints as chains of points, built from the hip outwards."""

    hip: Point
    shoulder: Point
    head: Point
    near_leg: list[Point]
    far_leg: list[Point]
    near_arm: list[Point]
    far_arm: list[Point]
    # Which way the face points, drawn as a small nose so lying face up or down is clear.
    gaze_deg: float | None = None
    # How far the middle of the spine bows away from a straight line (+ = to the left).
    spine_bow: float = 0.0


def body(
    hip: Point,
    torso_deg: float,
    *,
    near_leg: Sequence[float] = (),
    far_leg: Sequence[float] = (),
    near_arm: Sequence[float] = (),
    far_arm: Sequence[float] = (),
    head_deg: float | None = None,
    gaze_deg: float | None = None,
    spine_bow: float = 0.0,
) -> Body:
    """A figure from absolute joint angles: legs thigh, shin, foot; arms upper, fore."""
    shoulder = toward(hip, torso_deg, TORSO)
    head = toward(shoulder, torso_deg if head_deg is None else head_deg, NECK + HEAD_RADIUS)
    return Body(
        hip=hip,
        shoulder=shoulder,
        head=head,
        near_leg=chain(hip, near_leg, (THIGH, SHIN, FOOT)[: len(near_leg)]),
        far_leg=chain(hip, far_leg, (THIGH, SHIN, FOOT)[: len(far_leg)]),
        near_arm=chain(shoulder, near_arm, (UPPER_ARM, FOREARM)[: len(near_arm)]),
        far_arm=chain(shoulder, far_arm, (UPPER_ARM, FOREARM)[: len(far_arm)]),
        gaze_deg=gaze_deg,
        spine_bow=spine_bow,
    )


def spine_points(figure: Body) -> list[Point]:
    """The spine from hip to shoulder, bowed sideways by ``spine_bow``."""
    (x0, y0), (x1, y1) = figure.hip, figure.shoulder
    length = math.hypot(x1 - x0, y1 - y0)
    normal = (-(y1 - y0) / length, (x1 - x0) / length)
    points = []
    for step in range(21):
        t = step / 20
        bow = figure.spine_bow * 4 * t * (1 - t)
        points.append((x0 + t * (x1 - x0) + bow * normal[0], y0 + t * (y1 - y0) + bow * normal[1]))
    # The neck continues from the shoulder to the head.
    points.append(toward(figure.shoulder, angle_of(figure.shoulder, figure.head), NECK))
    return points


def polyline(ax: Axes, points: Sequence[Point], color: str, *, dashed: bool = False) -> None:
    if len(points) < 2:
        return
    xs, ys = zip(*points, strict=True)
    ax.plot(
        xs,
        ys,
        color=color,
        linewidth=LIMB_WIDTH * (0.7 if dashed else 1.0),
        linestyle=(0, (2, 1.5)) if dashed else "-",
        solid_capstyle="round",
        solid_joinstyle="round",
        zorder=2 if dashed else 4,
    )


def draw_head(ax: Axes, figure: Body, *, ghost: bool) -> None:
    color = GHOST if ghost else NEAR
    ax.add_patch(
        Circle(
            figure.head,
            HEAD_RADIUS,
            facecolor="white" if ghost else color,
            edgecolor=color,
            linewidth=2.5,
            linestyle="--" if ghost else "-",
            zorder=2 if ghost else 5,
        )
    )
    if figure.gaze_deg is not None:
        base = toward(figure.head, figure.gaze_deg, HEAD_RADIUS * 0.8)
        tip = toward(figure.head, figure.gaze_deg, HEAD_RADIUS + 0.2)
        ax.plot(
            [base[0], tip[0]],
            [base[1], tip[1]],
            color=color,
            linewidth=6,
            solid_capstyle="round",
            zorder=5,
        )


def draw_body(ax: Axes, figure: Body, *, ghost: bool = False) -> None:
    """Far limbs first so the near limbs and trunk sit on top of them."""
    far, near = (GHOST, GHOST) if ghost else (FAR, NEAR)
    polyline(ax, figure.far_leg, far, dashed=ghost)
    polyline(ax, figure.far_arm, far, dashed=ghost)
    polyline(ax, spine_points(figure), near, dashed=ghost)
    polyline(ax, figure.near_leg, near, dashed=ghost)
    polyline(ax, figure.near_arm, near, dashed=ghost)
    draw_head(ax, figure, ghost=ghost)


def arrow(ax: Axes, start: Point, end: Point, *, bend: float = 0.0, both: bool = False) -> None:
    """A movement arrow; ``bend`` curves it (positive = counter-clockwise)."""
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle="<|-|>" if both else "-|>",
            connectionstyle=f"arc3,rad={bend}",
            mutation_scale=28,
            linewidth=3.5,
            color=ARROW,
            zorder=6,
        )
    )


def label(ax: Axes, at: Point, text: str, *, color: str = ARROW) -> None:
    ax.text(at[0], at[1], text, fontsize=14, color=color, ha="center", va="center", zorder=7)


def feel_here(ax: Axes, centre: Point, label_at: Point, *, width: float = 1.0) -> None:
    """Mark where the stretch or effort should be felt, with a short label."""
    ax.add_patch(
        Ellipse(centre, width, width * 0.75, facecolor=FEEL, alpha=0.6, edgecolor="none", zorder=3)
    )
    ax.annotate(
        "feel it here",
        xy=centre,
        xytext=label_at,
        fontsize=14,
        color="#9c4a07",
        ha="center",
        va="center",
        arrowprops={"arrowstyle": "-", "color": "#9c4a07", "linewidth": 1.5, "shrinkB": 2},
        zorder=7,
    )


def chair(ax: Axes, seat_left: float, seat_right: float, seat_y: float) -> None:
    """A simple chair seen side-on, its back on the left."""
    ax.plot([seat_left, seat_right], [seat_y, seat_y], color=PROP, linewidth=6, zorder=1)
    ax.plot([seat_left, seat_left], [FLOOR_Y, seat_y + 2.4], color=PROP, linewidth=6, zorder=1)
    ax.plot([seat_right, seat_right], [FLOOR_Y, seat_y], color=PROP, linewidth=6, zorder=1)


def cushion(ax: Axes, centre_x: float, width: float = 1.2) -> None:
    ax.add_patch(
        FancyBboxPatch(
            (centre_x - width / 2, FLOOR_Y),
            width,
            0.22,
            boxstyle="round,pad=0.02,rounding_size=0.1",
            facecolor="#e9c46a",
            edgecolor=PROP,
            zorder=1,
        )
    )


# --- the exercises ---------------------------------------------------------------------------
# Lying figures: the trunk sits a little above the floor line and the head rests on it.
LYING_Y = FLOOR_Y + 0.3
SEAT_Y = FLOOR_Y + SHIN + 0.1
FACE_UP = 90.0


def lying_on_back(hip_x: float) -> Body:
    """Face up, head to the left; the caller sets the legs and arms."""
    figure = body((hip_x, LYING_Y), 180, gaze_deg=FACE_UP)
    head_y = FLOOR_Y + HEAD_RADIUS + 0.03
    figure.head = (figure.shoulder[0] - NECK - HEAD_RADIUS, head_y)
    return figure


def knees_bent_feet_flat(hip: Point, foot_x: float) -> list[Point]:
    return leg_to(hip, (foot_x, FLOOR_Y + 0.15), bend=1, foot_deg=0)


def arms_by_sides(shoulder: Point) -> list[Point]:
    return [
        shoulder,
        (shoulder[0] + UPPER_ARM, shoulder[1] - 0.1),
        (shoulder[0] + UPPER_ARM + FOREARM, shoulder[1] - 0.15),
    ]


def supine_piriformis_stretch(ax: Axes) -> str:
    figure = lying_on_back(6.6)
    hip = figure.hip
    # The supporting leg is drawn up towards the chest, foot in the air.
    figure.far_leg = chain(hip, (112, 8, 85), (THIGH, SHIN, FOOT))
    far_knee = figure.far_leg[1]
    # The crossed leg: knee out to the side (foreshortened), ankle resting on the far knee.
    ankle = toward(far_knee, -68, 0.35)
    figure.near_leg = [hip, toward(hip, 35, 1.55), ankle, toward(ankle, 160, FOOT)]
    hold = toward(far_knee, -68, 0.75)
    figure.near_arm = arm_to(figure.shoulder, hold, bend=1)
    figure.far_arm = arm_to(figure.shoulder, toward(hold, 0, 0.15), bend=1)
    draw_body(ax, figure)
    arrow(ax, (8.3, 5.0), (6.0, 5.8), bend=0.35)
    label(ax, (9.3, 6.1), "draw towards\nthe chest")
    feel_here(ax, (6.85, hip[1] + 0.2), (9.6, 3.3))
    return "Cross the ankle over the knee, then draw the legs towards the chest"


def seated_piriformis_stretch(ax: Axes) -> str:
    chair(ax, 3.4, 5.8, SEAT_Y)
    hip = (4.3, SEAT_Y + 0.3)
    upright = body(hip, 88, gaze_deg=0)
    figure = body(hip, 55, gaze_deg=-10)
    support_ankle = (hip[0] + THIGH + 0.05, FLOOR_Y + 0.15)
    figure.far_leg = leg_to(hip, support_ankle, bend=1, foot_deg=0)
    # The crossed leg: knee dropped out to the side, ankle resting on the far knee.
    ankle = toward(figure.far_leg[1], 80, 0.35)
    figure.near_leg = [hip, toward(hip, 14, 1.35), ankle, toward(ankle, 5, FOOT)]
    figure.near_arm = arm_to(figure.shoulder, toward(figure.near_leg[1], 0, 0.1), bend=1)
    figure.far_arm = arm_to(figure.shoulder, toward(ankle, 180, 0.1), bend=1)
    draw_body(ax, Body(upright.hip, upright.shoulder, upright.head, [], [], [], []), ghost=True)
    draw_body(ax, figure)
    arrow(ax, (4.9, 7.7), (7.0, 6.4), bend=-0.35)
    label(ax, (8.6, 7.3), "lean forward,\nback straight")
    feel_here(ax, (4.25, SEAT_Y + 0.45), (2.0, SEAT_Y + 1.1))
    return "Ankle on the other knee, then lean forward from the hips"


def knee_to_opposite_shoulder(ax: Axes) -> str:
    figure = lying_on_back(6.6)
    hip = figure.hip
    figure.far_leg = chain(hip, (0, 0, 85), (THIGH, SHIN, FOOT))
    figure.near_leg = chain(hip, (118, -5, 70), (THIGH, SHIN, FOOT))
    knee = figure.near_leg[1]
    figure.near_arm = arm_to(figure.shoulder, toward(knee, -5, 0.2), bend=1)
    figure.far_arm = arm_to(figure.shoulder, toward(knee, -5, 0.45), bend=1)
    draw_body(ax, figure)
    arrow(ax, (6.3, 5.0), (4.0, 4.4), bend=0.45)
    label(ax, (4.0, 5.9), "knee across towards\nthe opposite shoulder")
    feel_here(ax, (6.85, hip[1] + 0.2), (9.6, 3.6))
    return "Pull the bent knee up and across your body towards the other shoulder"


def glute_bridge(ax: Axes) -> str:
    foot_x = 8.4
    start = lying_on_back(6.0)
    start.near_leg = knees_bent_feet_flat(start.hip, foot_x)
    lift = 22.0
    shoulder = start.shoulder
    hip = toward(shoulder, lift, TORSO)
    figure = body(hip, 180 + lift, gaze_deg=FACE_UP)
    figure.head = start.head
    figure.near_leg = knees_bent_feet_flat(hip, foot_x)
    figure.far_leg = list(figure.near_leg)
    figure.near_arm = arms_by_sides(shoulder)
    ghost = Body(start.hip, start.shoulder, start.head, start.near_leg, [], [], [])
    polyline(ax, [start.hip, start.shoulder], GHOST, dashed=True)
    polyline(ax, ghost.near_leg, GHOST, dashed=True)
    draw_body(ax, figure)
    arrow(ax, (hip[0] + 0.1, hip[1] - 0.75), (hip[0] + 0.1, hip[1] + 1.7))
    label(ax, (hip[0] - 1.7, hip[1] + 1.6), "squeeze\nand lift")
    feel_here(ax, (hip[0] + 0.1, hip[1] - 0.15), (10.2, 4.9))
    return "Squeeze your buttocks and lift: shoulders, hips and knees in a line"


def clamshell(ax: Axes) -> str:
    # Seen from the front while lying on the left side: feet stay together, top knee opens.
    y = LYING_Y
    hip = (6.2, y)
    shoulder = (3.8, y + 0.1)
    head = (2.85, y + 0.5)
    feet = (9.3, y)
    figure = Body(
        hip=hip,
        shoulder=shoulder,
        head=head,
        near_leg=[(hip[0], y + 0.3), (7.55, y + 2.0), feet],
        far_leg=[hip, (7.75, y - 0.05), feet],
        near_arm=[(shoulder[0], y + 0.3), (5.0, y + 0.9), (6.2, y + 0.5)],
        far_arm=[shoulder, (3.1, y - 0.15), (2.2, y + 0.1)],
    )
    polyline(ax, [(hip[0], y + 0.3), (7.75, y + 0.3), feet], GHOST, dashed=True)
    draw_body(ax, figure)
    arrow(ax, (8.3, 2.4), (8.2, 4.3), bend=0.3)
    label(ax, (8.9, 5.0), "lift the top knee")
    label(ax, (10.4, 2.7), "feet stay\ntogether", color=TEXT)
    feel_here(ax, (6.4, y + 0.4), (4.6, 4.6))
    return "Lying on your side, feet together: lift the top knee without rolling back"


def kneeling_hip_flexor_stretch(ax: Axes) -> str:
    cushion(ax, 4.65)
    back_knee = (4.65, FLOOR_Y + 0.4)
    hip = (5.2, back_knee[1] + math.sqrt(THIGH**2 - 0.55**2))
    figure = body(hip, 92, gaze_deg=0)
    back_ankle = (back_knee[0] - SHIN, FLOOR_Y + 0.2)
    figure.near_leg = [hip, back_knee, back_ankle, toward(back_ankle, 195, FOOT)]
    front_ankle = (hip[0] + THIGH + 0.2, FLOOR_Y + 0.15)
    figure.far_leg = leg_to(hip, front_ankle, bend=1, foot_deg=0)
    # Hands on the hips, elbows out behind.
    figure.near_arm = arm_to(figure.shoulder, (hip[0] + 0.3, hip[1] + 0.35), bend=-1)
    figure.far_arm = arm_to(figure.shoulder, (hip[0] + 0.45, hip[1] + 0.4), bend=-1)
    draw_body(ax, figure)
    arrow(ax, (6.7, 6.0), (8.6, 6.0))
    label(ax, (7.6, 6.6), "shift forward")
    arrow(ax, (4.0, 4.6), (4.35, 3.4), bend=0.5)
    label(ax, (3.0, 4.9), "tuck\ntailbone")
    feel_here(ax, (5.35, hip[1] - 0.45), (8.9, 4.0), width=0.9)
    return "Tuck the tailbone under, then shift your weight gently forward"


def pelvic_tilt(ax: Axes) -> str:
    figure = lying_on_back(6.2)
    figure.near_leg = knees_bent_feet_flat(figure.hip, 8.6)
    figure.near_arm = arms_by_sides(figure.shoulder)
    arched = Body(figure.hip, figure.shoulder, figure.head, [], [], [], [], spine_bow=-0.45)
    polyline(ax, spine_points(arched)[:-1], GHOST, dashed=True)
    draw_body(ax, figure)
    arrow(ax, (5.0, 4.1), (5.0, 2.55))
    label(ax, (5.0, 4.7), "press the small of your back down")
    feel_here(ax, (6.0, LYING_Y + 0.1), (8.4, 4.0), width=0.9)
    return "Tighten the lower tummy to flatten your back into the floor, then relax"


def all_fours(*, spine_bow: float = 0.0, head_deg: float = 10, gaze_deg: float = -60) -> Body:
    """Hands under shoulders, knees under hips, facing right."""
    knee = (4.3, FLOOR_Y + 0.2)
    hip = (knee[0], knee[1] + THIGH)
    arm = UPPER_ARM + FOREARM - 0.05
    shoulder_y = FLOOR_Y + 0.1 + arm
    torso_deg = math.degrees(math.asin((shoulder_y - hip[1]) / TORSO))
    figure = body(hip, torso_deg, head_deg=head_deg, gaze_deg=gaze_deg, spine_bow=spine_bow)
    shoulder = figure.shoulder
    hand = (shoulder[0], FLOOR_Y + 0.1)
    figure.near_arm = arm_to(shoulder, hand, bend=1)
    figure.far_arm = list(figure.near_arm)
    ankle = (knee[0] - SHIN, FLOOR_Y + 0.2)
    figure.near_leg = [hip, knee, ankle, toward(ankle, 190, FOOT)]
    figure.far_leg = list(figure.near_leg)
    return figure


def cat_camel(ax: Axes) -> str:
    sag = all_fours(spine_bow=-0.55, head_deg=35, gaze_deg=20)
    polyline(ax, spine_points(sag), GHOST, dashed=True)
    draw_head(ax, sag, ghost=True)
    draw_body(ax, all_fours(spine_bow=0.9, head_deg=-35, gaze_deg=-80))
    arrow(ax, (5.5, 5.4), (5.5, 7.0), both=True)
    label(ax, (3.6, 6.6), "round up")
    label(ax, (8.9, 6.0), "then let it sag", color="#888888")
    return "On hands and knees, slowly round your back up, then let it sag"


def bird_dog(ax: Axes) -> str:
    start = all_fours(head_deg=40, gaze_deg=-10)
    figure = all_fours(head_deg=40, gaze_deg=-10)
    figure.near_arm = chain(figure.shoulder, (-6, -6), (UPPER_ARM, FOREARM))
    figure.far_leg = chain(figure.hip, (180, 180, 260), (THIGH, SHIN, FOOT))
    polyline(ax, start.near_arm, GHOST, dashed=True)
    polyline(ax, start.near_leg, GHOST, dashed=True)
    figure.near_leg = start.near_leg
    figure.far_arm = start.far_arm
    draw_body(ax, figure)
    reach_y = figure.shoulder[1] + 0.7
    arrow(ax, (figure.near_arm[-1][0] - 0.9, reach_y), (figure.near_arm[-1][0] + 0.5, reach_y))
    arrow(
        ax, (figure.far_leg[2][0] + 0.9, reach_y - 0.3), (figure.far_leg[2][0] - 0.5, reach_y - 0.3)
    )
    feel_here(ax, (5.5, figure.hip[1] + 0.2), (5.5, 6.3), width=1.1)
    return "Reach one arm forward and the opposite leg back, keeping your back flat"


def dead_bug(ax: Axes) -> str:
    figure = lying_on_back(6.6)
    hip, shoulder = figure.hip, figure.shoulder
    tabletop = chain(hip, (90, 0, 90), (THIGH, SHIN, FOOT))
    arm_up = chain(shoulder, (90, 90), (UPPER_ARM, FOREARM))
    figure.far_leg = tabletop
    figure.far_arm = arm_up
    figure.near_leg = chain(hip, (10, 10, 80), (THIGH, SHIN, FOOT))
    figure.near_arm = chain(shoulder, (168, 168), (UPPER_ARM, FOREARM))
    draw_body(ax, figure)
    arrow(ax, (3.4, 4.6), (1.5, 2.9), bend=0.3)
    arrow(ax, (9.0, 4.0), (10.6, 2.9), bend=-0.3)
    feel_here(ax, (5.4, LYING_Y + 0.1), (5.2, 5.6), width=1.1)
    label(ax, (8.0, 6.4), "back stays flat on the floor", color=TEXT)
    return "Keep your back pressed down while one arm and the opposite leg lower"


def sciatic_nerve_glide(ax: Axes) -> str:
    chair(ax, 3.0, 5.3, SEAT_Y)
    hip = (3.9, SEAT_Y + 0.3)
    look_up = body(hip, 88, head_deg=110, gaze_deg=50)
    chin_down = body(hip, 88, head_deg=70, gaze_deg=-50)
    bent_leg = leg_to(hip, (hip[0] + THIGH + 0.25, FLOOR_Y + 0.35), bend=1, foot_deg=-50)
    straight_leg = chain(hip, (0, 3, 95), (THIGH, SHIN, FOOT))
    look_up.near_leg = straight_leg
    look_up.far_leg = leg_to(hip, (hip[0] + THIGH + 0.05, FLOOR_Y + 0.15), bend=1, foot_deg=0)
    look_up.near_arm = arm_to(look_up.shoulder, (hip[0] + 1.3, hip[1] + 0.12), bend=1)
    look_up.far_arm = list(look_up.near_arm)
    polyline(ax, bent_leg, GHOST, dashed=True)
    draw_head(ax, chin_down, ghost=True)
    draw_body(ax, look_up)
    arrow(
        ax,
        (bent_leg[2][0] + 0.5, bent_leg[2][1] + 0.2),
        (straight_leg[2][0] - 0.1, straight_leg[2][1] - 0.5),
        bend=0.35,
        both=True,
    )
    ax.text(
        8.6,
        7.6,
        "knee straight + look up\n⇅\nknee bent + chin down",
        fontsize=14,
        color=TEXT,
        ha="center",
        va="top",
    )
    return "Slide smoothly between the two positions; never push into pain or tingling"


def prone_press_up(ax: Axes) -> str:
    hip = (4.4, LYING_Y)
    legs = chain(hip, (180, 180, 200), (THIGH, SHIN, FOOT))
    flat = body(hip, 0, gaze_deg=-70)
    flat.head = (flat.shoulder[0] + NECK + HEAD_RADIUS, FLOOR_Y + HEAD_RADIUS + 0.03)
    figure = body(hip, 45, head_deg=55, gaze_deg=10)
    hand = (figure.shoulder[0] + 1.0, FLOOR_Y + 0.1)
    figure.near_leg = legs
    figure.far_leg = legs
    figure.near_arm = arm_to(figure.shoulder, hand, bend=-1)
    figure.far_arm = list(figure.near_arm)
    polyline(ax, [flat.hip, flat.shoulder], GHOST, dashed=True)
    draw_body(ax, figure)
    arrow(ax, (8.1, 2.6), (7.6, 4.8), bend=0.3)
    label(ax, (9.2, 5.4), "press up gently")
    feel_here(ax, (4.6, LYING_Y + 0.3), (3.0, 4.4), width=0.9)
    label(ax, (2.6, 2.5), "hips and legs relaxed", color=TEXT)
    return "Press up with your arms, hips and legs relaxed on the floor"


def childs_pose(ax: Axes) -> str:
    knee = (6.0, FLOOR_Y + 0.22)
    ankle = (knee[0] - SHIN, FLOOR_Y + 0.2)
    hip = (ankle[0] + 0.3, ankle[1] + 0.75)
    figure = body(hip, -12, head_deg=-40, gaze_deg=-90, spine_bow=0.55)
    figure.near_leg = [hip, knee, ankle, toward(ankle, 185, FOOT)]
    figure.far_leg = list(figure.near_leg)
    figure.head = (figure.shoulder[0] + 0.55, FLOOR_Y + HEAD_RADIUS + 0.03)
    hand = (figure.shoulder[0] + UPPER_ARM + FOREARM - 0.15, FLOOR_Y + 0.1)
    figure.near_arm = arm_to(figure.shoulder, hand, bend=1)
    figure.far_arm = list(figure.near_arm)
    draw_body(ax, figure)
    arrow(ax, (5.0, 4.4), (4.4, 3.2), bend=0.25)
    label(ax, (5.6, 4.8), "sit back towards your heels")
    arrow(ax, (hand[0] + 0.2, 2.3), (hand[0] + 1.6, 2.3))
    label(ax, (hand[0] + 0.9, 2.8), "reach")
    feel_here(ax, (5.1, hip[1] + 0.5), (2.5, 4.2), width=1.0)
    return "Sit back towards your heels and let your chest sink, arms reaching forward"


def single_knee_to_chest(ax: Axes) -> str:
    figure = lying_on_back(6.6)
    hip = figure.hip
    figure.far_leg = knees_bent_feet_flat(hip, 9.0)
    figure.near_leg = chain(hip, (125, 15, 80), (THIGH, SHIN, FOOT))
    knee = figure.near_leg[1]
    figure.near_arm = arm_to(figure.shoulder, toward(knee, 15, 0.3), bend=1)
    figure.far_arm = arm_to(figure.shoulder, toward(knee, 15, 0.55), bend=1)
    draw_body(ax, figure)
    arrow(ax, (7.7, 5.0), (5.6, 5.5), bend=0.35)
    label(ax, (8.6, 5.9), "hug towards the chest")
    feel_here(ax, (6.2, LYING_Y + 0.15), (9.8, 3.7), width=1.0)
    return "Hug one knee gently towards your chest; keep the other foot on the floor"


DRAWINGS: dict[str, Callable[[Axes], str]] = {
    "supine-piriformis-stretch": supine_piriformis_stretch,
    "seated-piriformis-stretch": seated_piriformis_stretch,
    "knee-to-opposite-shoulder": knee_to_opposite_shoulder,
    "glute-bridge": glute_bridge,
    "clamshell": clamshell,
    "kneeling-hip-flexor-stretch": kneeling_hip_flexor_stretch,
    "pelvic-tilt": pelvic_tilt,
    "cat-camel": cat_camel,
    "bird-dog": bird_dog,
    "dead-bug": dead_bug,
    "sciatic-nerve-glide": sciatic_nerve_glide,
    "prone-press-up": prone_press_up,
    "childs-pose": childs_pose,
    "single-knee-to-chest": single_knee_to_chest,
}


def title_of(slug: str) -> str:
    """The exercise's title from its Markdown, so the picture and the text never disagree."""
    text = (CONTENT_DIR / f"{slug}.md").read_text(encoding="utf-8")
    front_matter = text.split("---", 2)[1]
    title = yaml.safe_load(front_matter)["title"]
    return str(title)


def fit_view(ax: Axes, renderer: RendererBase) -> None:
    """Zoom to what was drawn (figure, arrows, labels) so lying poses are not lost in space.

    Text keeps its size in points while zooming changes data units, hence the second pass.
    """
    box_width, box_height = ax.get_window_extent(renderer).size
    ratio = box_width / box_height
    for _ in range(3):
        artists = [*ax.lines, *ax.patches, *ax.texts]
        extent = Bbox.union([artist.get_window_extent(renderer) for artist in artists])
        data = extent.transformed(ax.transData.inverted())
        x0, x1 = data.x0 - VIEW_PADDING, data.x1 + VIEW_PADDING
        y0, y1 = FLOOR_Y - FLOOR_DEPTH, data.y1 + VIEW_PADDING
        width = max(x1 - x0, (y1 - y0) * ratio, MIN_VIEW_WIDTH)
        height = width / ratio
        middle = (x0 + x1) / 2
        ax.set_xlim(middle - width / 2, middle + width / 2)
        # Extra height goes above the figure, so the floor stays at the bottom.
        ax.set_ylim(y0, y0 + height)


def draw_floor(ax: Axes) -> None:
    left, right = ax.get_xlim()
    bottom, _ = ax.get_ylim()
    ax.add_patch(
        Polygon(
            [(left, FLOOR_Y), (right, FLOOR_Y), (right, bottom), (left, bottom)],
            facecolor="#eeeeee",
            edgecolor="none",
            zorder=0,
        )
    )
    ax.plot([left, right], [FLOOR_Y, FLOOR_Y], color="#555555", linewidth=3, zorder=1)


def render(slug: str, destination: Path) -> None:
    draw = DRAWINGS[slug]
    title = title_of(slug)
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, facecolor="white")
    canvas = FigureCanvasAgg(figure)
    ax = figure.add_axes((0.02, 0.11, 0.96, 0.77))
    ax.set_xlim(0, X_MAX)
    ax.set_ylim(0, Y_MAX)
    ax.axis("off")
    caption = draw(ax)
    fit_view(ax, canvas.get_renderer())
    draw_floor(ax)
    figure.text(0.5, 0.94, title, fontsize=28, weight="bold", color=TEXT, ha="center", va="center")
    caption_text = figure.text(
        0.5, 0.05, caption, fontsize=15, color=TEXT, ha="center", va="center"
    )
    # Long captions shrink rather than run off the edge.
    while caption_text.get_window_extent(canvas.get_renderer()).width > 0.96 * WIDTH_PX:
        caption_text.set_fontsize(caption_text.get_fontsize() - 0.5)
    # No timestamp or version in the file, so redrawing an unchanged pose changes no bytes.
    figure.savefig(destination, format="png", metadata={"Software": None})


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("slugs", nargs="*", help="only these exercises (default: all)")
    parser.add_argument("--out", type=Path, default=CONTENT_DIR, help="output directory")
    args = parser.parse_args(argv)
    slugs: list[str] = args.slugs or sorted(DRAWINGS)
    unknown = [slug for slug in slugs if slug not in DRAWINGS]
    if unknown:
        parser.error(f"no drawing for: {', '.join(unknown)}")
    args.out.mkdir(parents=True, exist_ok=True)
    for slug in slugs:
        destination = args.out / f"{slug}.png"
        render(slug, destination)
        print(f"wrote {destination} ({destination.stat().st_size // 1024} KB)")
    missing = sorted(path.stem for path in args.out.glob("*.md") if path.stem not in DRAWINGS)
    if missing:
        print(f"warning: no drawing defined for {', '.join(missing)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
