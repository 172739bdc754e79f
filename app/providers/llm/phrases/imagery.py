"""The body scan (parts, in order from the feet up, and cues for each) and the visualisation scenes.

Scan cues use {them}/{they}/{are}/{s} so one cue fits "your knees" and "your belly": {them} -> it/them,
{they} -> it/they, {are} -> is/are, {s} -> s/'' after a verb ("{they} feel{s}").
"""

from __future__ import annotations

# (words, plural). Three levels of detail, each running feet -> head.
SCAN_COARSE = [
    ("feet", True),
    ("legs", True),
    ("hips", True),
    ("belly", False),
    ("chest", False),
    ("arms", True),
    ("hands", True),
    ("shoulders", True),
    ("neck", False),
    ("face", False),
]
SCAN_MEDIUM = [
    ("toes", True),
    ("feet", True),
    ("ankles and calves", True),
    ("knees", True),
    ("thighs", True),
    ("hips", True),
    ("lower back", False),
    ("belly", False),
    ("chest", False),
    ("upper back", False),
    ("hands", True),
    ("arms", True),
    ("shoulders", True),
    ("neck and throat", False),
    ("jaw", False),
    ("eyes", True),
    ("forehead", False),
    ("scalp", False),
]
SCAN_FINE = [
    ("left foot", False),
    ("right foot", False),
    ("heels", True),
    ("ankles", True),
    ("calves", True),
    ("shins", True),
    ("knees", True),
    ("thighs", True),
    ("hips", True),
    ("pelvis", False),
    ("lower back", False),
    ("belly", False),
    ("ribs", True),
    ("chest", False),
    ("upper back", False),
    ("shoulder blades", True),
    ("fingers", True),
    ("palms", True),
    ("wrists", True),
    ("forearms", True),
    ("elbows", True),
    ("upper arms", True),
    ("shoulders", True),
    ("neck", False),
    ("throat", False),
    ("jaw", False),
    ("lips", True),
    ("cheeks", True),
    ("eyes", True),
    ("forehead", False),
    ("scalp", False),
    ("back of your head", False),
]

SCAN_INTROS = [
    "Now let's move slowly through the body, from the feet up to the top of the head.",
    "Now we'll travel through the body, one part at a time. There's nothing to change, only to notice.",
    "Let's scan gently through the body now, starting at the feet.",
]

SLEEP_SCAN_INTROS = [
    "Now let's move slowly through the body, letting each part fall asleep in turn.",
    "Let's travel down into the body now, and let each part grow heavy and still.",
]

SCAN_LEADS = [
    "Bring your attention to your {part}.",
    "Now move your awareness to your {part}.",
    "Let your attention rest on your {part}.",
    "Now notice your {part}.",
    "Gently turn your attention toward your {part}.",
    "Let your awareness travel to your {part}.",
    "Now feel your {part}.",
    "Shift your focus to your {part}.",
    "Let your attention settle into your {part}.",
    "Next, your {part}.",
    "Moving on, to your {part}.",
]

SCAN_CUES = [
    "Notice any warmth, coolness or tingling there.",
    "Let {them} soften.",
    "If there's tension, let the next out-breath loosen it.",
    "Let {them} be heavy.",
    "Just notice what's there, without changing anything.",
    "Let any holding there melt a little.",
    "Feel the weight of {them}.",
    "Let {them} rest.",
    "Imagine the breath flowing into {them}, and softening {them}.",
    "Notice whether {they} feel{s} tight or loose, heavy or light.",
    "There's nothing to fix. Just feel.",
    "Let {them} be exactly as {they} {are}.",
    "Notice the small sensations there, the pulse, the pressure, the air.",
    "Let {them} release a little more with each breath out.",
    "If you can't feel much there, that's fine too. Just rest your attention there.",
    "Let {them} be soft and easy.",
    "Notice how {they} feel{s} right now, in this moment.",
    "Let the muscles there unwind, slowly.",
]

SLEEP_SCAN_CUES = [
    "Let {them} grow heavy.",
    "Let {them} sink into the bed.",
    "Let {them} go to sleep.",
    "Feel {them} getting warm and heavy.",
    "Let {them} be completely still.",
    "Let {them} rest, heavy and soft.",
    "There's nothing for {them} to do now. Let {them} rest.",
    "Let {them} grow so heavy that {they} could sink right through the mattress.",
]

PART_CUES = {
    "feet": ["Feel where they touch the floor, or the air.", "Let your toes uncurl."],
    "jaw": ["Let your teeth part slightly.", "Let it hang loose."],
    "eyes": ["Let them sink back, soft and heavy.", "Let the tiny muscles around them relax."],
    "forehead": ["Let it smooth out, as if a warm hand rested there."],
    "belly": ["Let it rise and fall freely with the breath."],
    "shoulders": ["Let them drop, away from your ears.", "Let them melt down your back."],
    "hands": ["Let your fingers uncurl.", "Notice any tingling in the palms."],
    "chest": ["Feel it rise and fall with each breath."],
    "neck": ["Let your head be heavy, and let your neck rest."],
    "lower back": ["Let it be supported, and let it soften."],
}

SCAN_WHOLE = [
    "Now feel the whole body at once, breathing, resting, alive.",
    "Let your attention widen to hold the whole body, from head to toe.",
    "Notice the body as one whole shape, resting here.",
    "Feel the whole body breathing, as if every part of you were gently rising and falling.",
]

SLEEP_SCAN_WHOLE = [
    "Now the whole body is heavy and warm, resting completely.",
    "Feel the whole body sinking, every part of you still and at ease.",
]

SECOND_PASS = [
    "Now let's travel through the body once more, a little more slowly, noticing what has changed.",
    "Let's move through the body again, this time letting each part soften a little further.",
]

SCENE_INTROS = [
    "Now let an image form in your mind. There's no need to see it clearly. Just imagine it as best you can.",
    "Now let's go somewhere in the imagination. Let the details come by themselves.",
]

SCENES = {
    "shore": [
        "Imagine you're walking toward a quiet shore. The air is fresh, and the light is soft.",
        "Feel the sand under your feet: cool, a little damp, giving way with each step.",
        "Listen to the waves arriving and leaving, slow and even.",
        "Notice the colours of the water, and the line where it meets the sky.",
        "Find a place to sit. Feel the warmth of the sun on your face and shoulders.",
        "With each wave that comes in, breathe in. With each wave that goes out, let something go.",
        "Watch the water carry away whatever you no longer need to hold.",
        "Notice the smell of salt in the air, and the wide, open space all around you.",
        "A gull calls somewhere far off, and then the only sound is the water again.",
    ],
    "forest": [
        "Imagine you're standing at the edge of a quiet forest. The air is cool and smells of earth and leaves.",
        "Step onto a soft path. Feel the ground, springy with moss and fallen needles.",
        "Light filters down through the branches, moving gently as the leaves stir.",
        "Listen: birds somewhere high above, and a stream somewhere ahead.",
        "Rest your hand on the trunk of a tree. Feel how solid it is, how long it has stood here.",
        "Breathe in the clean, green air. Breathe out, and feel yourself slow down to the pace of the trees.",
        "Find a place to sit among the roots. Let the forest hold you.",
        "Notice how unhurried everything is here. Nothing in the forest is rushing.",
        "The stream runs on, clear and steady, carrying leaves past you and away.",
    ],
    "meadow": [
        "Imagine a wide meadow on a warm day. Tall grass moves in a gentle breeze.",
        "Walk slowly into it. Feel the grass brushing against your legs.",
        "The sky is open and pale blue, with a few slow clouds drifting across it.",
        "Lie down in the grass. Feel the earth beneath your back, warm from the sun.",
        "Listen to the insects humming, and the wind moving through the grass.",
        "Breathe in the smell of grass and wildflowers. Breathe out, and let your body sink into the ground.",
        "Watch one cloud drift across the sky, taking its time.",
        "Notice the warmth on your skin, and the lightness in your chest.",
    ],
    "lake": [
        "Imagine a still lake in the early morning. A light mist rests on the water.",
        "You're sitting on a wooden jetty, your feet just above the surface.",
        "The water is so calm that it reflects the sky and the trees perfectly.",
        "Every now and then a small ripple spreads out, and then the surface is still again.",
        "Let your mind become like this water: quiet, clear, reflecting what's there.",
        "Breathe in the cool, fresh air. Breathe out, and feel your whole body grow still.",
        "Notice the sounds: a bird, a soft splash, then silence.",
        "The sun rises a little, and the mist begins to lift from the water.",
    ],
    "mountain": [
        "Imagine you're sitting high on a mountainside. The air is clear and cool.",
        "Below you, valleys stretch out into the distance, soft and blue.",
        "Feel the rock beneath you, solid and warm from the sun.",
        "Weather may come and go around a mountain. The mountain stays.",
        "Let yourself be like this mountain: steady, grounded, unmoved by passing clouds.",
        "Breathe in the thin, clean air. Breathe out, and feel yourself settle, heavy and still.",
        "Watch the shadows of clouds drift slowly across the valley below.",
        "Notice how quiet it is up here, how much space there is around you.",
    ],
    "garden": [
        "Imagine a small walled garden, sheltered and quiet. This is your garden.",
        "Walk slowly along the path. Notice the flowers, their colours, their scent.",
        "Somewhere, water trickles into a small stone basin.",
        "Find a bench in a patch of sunlight and sit down.",
        "Feel the warm stone beneath you, and the sun resting on your hands.",
        "Breathe in the scent of the garden. Breathe out, and let the quiet settle in you.",
        "Bees move from flower to flower, in no hurry at all.",
        "This garden is always here. No one can come in unless you invite them.",
    ],
}

SLEEP_SCENES = {
    "cabin": [
        "Imagine a small cabin on a rainy night. Inside, it's warm and dry.",
        "You're lying in a soft bed under heavy blankets, safe and comfortable.",
        "Rain patters gently on the roof, steady and soothing.",
        "A fire glows low in the corner, its warmth reaching you slowly.",
        "Listen to the rain. Each drop is a little softer, a little further away.",
        "Breathe in the warm air of the room. Breathe out, and sink deeper into the blankets.",
        "There's nowhere you need to go tonight. The rain will keep falling, and you can keep resting.",
    ],
    "boat": [
        "Imagine you're lying in a small boat, drifting on a calm, dark lake.",
        "The boat rocks very gently, side to side, slow and steady.",
        "Above you, the night sky is full of soft, distant stars.",
        "The water laps quietly against the sides of the boat.",
        "Breathe in the cool night air. Breathe out, and let the boat carry you a little further.",
        "You don't need to steer. The water knows the way.",
        "The shore is far away now, and everything is quiet.",
    ],
}

SCENE_SENSES = [
    "Let the scene become a little more vivid. Notice one colour, and let it fill your attention.",
    "Listen for the quietest sound in this place.",
    "Notice the temperature of the air here, and how it feels on your face.",
    "Feel the ground beneath you in this place, and let it hold your weight.",
    "Notice what you can smell here, and breathe it in slowly.",
    "Let your body feel how safe and unhurried it is here.",
    "Notice the light: where it falls, and where the shadows are.",
    "Let your shoulders soften, as if the place itself were relaxing them.",
    "Notice how your breathing has changed since you arrived here.",
    "Let yourself simply stay, with nothing to do and nowhere to go.",
    "If the image fades, that's fine. Keep the feeling, and let the image return when it's ready.",
    "Notice a small detail you hadn't noticed before.",
]

SLEEP_SCENE_SENSES = [
    "Let the scene grow softer and dimmer, like the edges of a dream.",
    "Listen to the quiet here. It's the kind of quiet that makes you sleepy.",
    "Feel how warm and safe you are in this place.",
    "Let your body grow heavier, sinking into the comfort around you.",
    "Let the sounds of this place become slower and further away.",
    "Notice how easy it is to rest here. Nothing needs you.",
    "If the image drifts away, let it go. You can drift with it.",
    "Let every part of you settle, as still as the night around you.",
]

SCENE_CONNECT = [
    "Here, in this place, it's easier to {goal}. Let yourself feel that.",
    "Let this place help you {goal}.",
    "Notice how natural it feels here to {goal}.",
]

SCENE_CLOSE = [
    "Stay here for a while. This place is yours, and you can come back whenever you like.",
    "In a moment, we'll leave this place. Know that you can return to it whenever you need.",
    "Take one last look around, and let the image slowly fade, keeping the feeling it gave you.",
]

SLEEP_SCENE_CLOSE = [
    "Let the image grow soft and dim, like a dream you're drifting into.",
    "Stay here, warm and safe, as everything grows quiet.",
]

SCENE_BRIDGE = [
    "Now let the scene slowly change. A path opens ahead of you, leading somewhere new.",
    "Let this place fade gently, and let another one take shape.",
]
