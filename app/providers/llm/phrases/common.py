"""Phrases every content type shares: breathing, wandering attention, silence, context and focus.

Conventions for the whole library: second person, present tense, short sentences, plain text, each entry
one to three sentences. Placeholders: {goal} "calm down before your interview", {goal_ing} "calming down
before your interview", {goal_me} "calm down before my interview", {when} "this evening", {place} "at home
on the sofa", {mood} "tired", {background} "you have a big day tomorrow". A line whose placeholder is not
available is never chosen. Any line with "breathe in" or "inhale" is timed as a guided breath; any line
with a question mark is timed as a reflective prompt.
"""

from __future__ import annotations

BREATH_CUES = [
    "Breathe in slowly through your nose, and let the breath out through your mouth.",
    "Take a slow breath in, and let it go with a long, easy exhale.",
    "Breathe in, and feel your ribs widen. Breathe out, and feel them settle.",
    "Inhale gently, a little deeper than usual. Exhale, and let your shoulders drop.",
    "Breathe in for a count of four. Breathe out for a count of six.",
    "Take a full breath in, filling the belly first, then the chest. Then let it all go.",
    "Breathe in through the nose. Let the out-breath be slow, as if you were breathing out through a straw.",
    "One more slow breath in. And a long breath out.",
    "Breathe in, and notice the cool air at the tip of your nose. Breathe out, and notice its warmth.",
    "Inhale, and let the belly rise. Exhale, and let it fall.",
    "Breathe in quietly. Pause for a moment at the top. Then let the breath slide out.",
    "Take one deep breath in, and let it out with a soft sigh.",
    "Breathe in, and let the breath reach all the way down to your belly. Breathe out slowly.",
    "Breathe in, noticing the gentle stretch across your chest. Breathe out, letting it soften.",
    "Inhale through the nose. Exhale through the mouth, a little longer than the in-breath.",
    "Breathe in as if you were smelling something warm and pleasant. Breathe out as if cooling a cup of tea.",
    "Let the next breath in be slow and unhurried. And let the breath out take its time.",
    "Breathe in, and feel your back widen. Breathe out, and feel yourself settle.",
    "Breathe in gently. Breathe out, and let your jaw unclench.",
    "Inhale softly. Hold the breath for a moment. Then exhale all the way to the end.",
    "Breathe in, and feel the air fill you from the bottom up. Breathe out from the top down.",
    "Take a breath in that's just a little fuller than the last. Let it out without rushing.",
    "Breathe in through the nose, and let the out-breath leave through softly parted lips.",
    "Breathe in, and let your hands feel the breath arrive. Breathe out, and let them rest.",
]

SLEEP_BREATH_CUES = [
    "Breathe in softly. And let the breath fall out of you, slow and heavy.",
    "Take a slow, easy breath in. Let the out-breath be longer, and a little heavier.",
    "Breathe in, and feel the bed holding you. Breathe out, and sink a little deeper.",
    "Breathe in, as slowly as feels easy. Breathe out, even more slowly.",
    "Inhale gently. Exhale, and let everything get a little heavier.",
    "Breathe in through your nose. Let the breath out like a long, quiet sigh.",
    "Breathe in, and let the belly rise. Breathe out, and let the whole body sink.",
    "One slow breath in. One long, soft breath out.",
    "Breathe in, hardly moving at all. Breathe out, and let go a little more.",
    "Inhale, slow and quiet. Exhale, and feel your body grow warm and heavy.",
    "Breathe in for a count of four. Breathe out for a count of seven, slowly.",
    "Let the next breath in be soft. Let the breath out carry you a little further down.",
]

ENERGISING_BREATH_CUES = [
    "Take a big breath in through the nose, filling up from the belly to the collarbones. Let it out with a sigh.",
    "Breathe in deeply, then sip in a little more air on top. Breathe out in one long, strong stream.",
    "Inhale deeply and lift your chest. Exhale, and feel the energy move down through your arms.",
    "Breathe in, and feel yourself grow taller. Breathe out, and keep that height.",
    "Take a bright, full breath in! And let it all go.",
    "Breathe in through the nose for four counts. Breathe out through the mouth, strong and steady.",
]

GROUNDING_BREATH_CUES = [
    "Breathe in, and feel your weight on the ground beneath you. Breathe out, and let it get heavier.",
    "Inhale slowly, as if drawing the breath up from the earth. Exhale, and let it return down through your feet.",
    "Breathe in, and feel how solid the ground is. Breathe out, and lean into it.",
    "Breathe in low, into the belly and the hips. Breathe out, and feel yourself settle down and in.",
]

BREATH_AWARENESS = [
    "Now let the breath find its own rhythm. There's no need to control it.",
    "Notice where you feel the breath most clearly: at the nostrils, in the chest, or in the belly.",
    "Rest your attention there, in that one place, and simply feel the breath come and go.",
    "Notice the small pause at the end of each out-breath.",
    "Feel how the air coming in is a little cooler, and the air going out a little warmer.",
    "Each breath is slightly different. Notice how this one feels.",
    "Let your belly be soft, so the breath can move it.",
    "You don't need to breathe in any special way. Just notice the breathing as it happens.",
    "Let each out-breath be a small letting go.",
    "Feel the gentle rise and fall, slow and steady, like a tide.",
    "Notice the breath moving in the sides of your ribs, and even in your back.",
    "Notice the moment when the in-breath turns into the out-breath.",
    "There's nothing to achieve here. Just this breath, and then the next.",
    "Let the breath breathe itself for a while. You only have to watch.",
    "Feel the air moving through your nose, and the slight rise of your chest.",
    "Notice how the body softens a little on each exhale.",
    "Your breath is always here, in the present moment. Let it anchor you.",
    "Let the out-breath be a little longer than the in-breath. This tells the body it's safe to slow down.",
    "If you like, rest one hand on your belly, and feel it rise and fall under your palm.",
    "Stay with the next few breaths, following each one from beginning to end.",
    "Notice the quiet space between one breath and the next.",
    "Let your attention ride on the breath, moving with it, not holding it.",
    "Notice the texture of the breath: smooth or uneven, deep or shallow. Let it be as it is.",
    "With each breath, let yourself arrive a little more fully.",
    "Count each out-breath, from one up to five, and then begin again at one. If you lose count, just start again.",
    "Let the breath come and go like waves reaching the shore, one after another.",
]

SLEEP_BREATH_AWARENESS = [
    "Let the breath slow down on its own. There's nowhere it needs to go.",
    "Notice how soft and small the breath can become when the body is resting.",
    "Feel the breath in the belly, rising and falling, like gentle waves far out at sea.",
    "Let each out-breath be a little longer, a little slower, a little heavier.",
    "You don't need to follow every breath. Just let them wash through you.",
    "Notice the warmth of your breath, and the stillness between breaths.",
    "Let the breathing become so easy that it almost disappears.",
    "Count each out-breath backward, slowly, from ten down to one. If you lose count, just let the numbers go.",
    "Let the breath be slow and even, like the breathing of someone already asleep.",
    "Feel how the body sinks a little further each time you breathe out.",
]

WANDERING = [
    "If your mind wanders, that's fine. Notice where it went, and gently come back to the breath.",
    "Thoughts will come. Let them pass in the background, and return to the feeling of breathing.",
    "Each time you notice you've drifted, that noticing is the practice. Come back, kindly.",
    "There's no need to push thoughts away. Let them be there while you feel the breath.",
    "If you find yourself planning or replaying, simply label it as thinking, and return to the body.",
    "You may notice the mind is busy. That's normal. Come back to one breath.",
    "When attention slips away, bring it back without judging yourself.",
    "If a sound pulls your attention, let it be part of the moment, and return to the breath.",
    "Minds wander; that's what they do. Each return is a small moment of strength.",
    "Let thoughts come and go without following them.",
    "If you've drifted into thought, notice it, and begin again with this breath.",
    "Let any restlessness be here too. You don't have to fix it.",
    "If a thought feels urgent, tell it kindly that it can wait until later.",
    "Notice thoughts the way you'd notice clouds, there and then gone, and come back to your body.",
]

SLEEP_WANDERING = [
    "If thoughts come, let them drift past, soft and far away.",
    "There's no need to follow any thought now. Let each one fade on its own.",
    "If your mind wanders, let it wander somewhere soft. The body keeps resting.",
    "Let any thoughts become quieter and slower, like voices in another room.",
    "Nothing needs to be solved tonight. Let the thinking mind rest too.",
    "If you find yourself thinking, simply return to the heaviness of your body.",
]

REST = [
    "Rest here for a little while, in the quiet.",
    "Stay with this for a few breaths, without any instructions.",
    "Take some time now to simply be here.",
    "I'll be quiet for a moment. Keep resting with the breath.",
    "Let the silence hold you for a while.",
    "Just rest here. There's nothing else to do.",
    "Let yourself sit in the stillness for a moment.",
    "Rest in this feeling for a few breaths.",
    "Stay with whatever is here, for a little while longer.",
    "Keep breathing gently, and enjoy a moment of quiet.",
    "Let this be a time of simply resting.",
    "For the next little while, let the breath be your only company.",
]

SLEEP_REST = [
    "Rest here now, warm and heavy and still.",
    "Let the quiet fold around you.",
    "There's nothing to do but rest. Let the stillness grow.",
    "Let yourself drift for a while in the silence.",
    "Stay here, sinking slowly, for as long as you like.",
    "Let the quiet carry you a little further down.",
]

TIMES = {
    "morning": "this morning",
    "midday": "in the middle of your day",
    "afternoon": "this afternoon",
    "evening": "this evening",
    "night": "tonight",
}

CONTEXT_WHEN = [
    "Wherever you are {when}, let yourself arrive here, in this moment.",
    "For these few minutes {when}, nothing else needs your attention.",
    "Let these few minutes {when} be quiet and unhurried.",
]

CONTEXT_PLACE = [
    "Wherever you are {when}, {place}, let yourself arrive.",
    "Here, {place}, let the world go a little quieter {when}.",
    "Notice where you are {when}, {place}, and feel what's supporting you.",
    "Settle in where you are, {place}. For a few minutes {when}, nothing else needs you.",
]

CONTEXT_PLACE_ONLY = [
    "Notice where you are, {place}, and feel what's supporting you.",
    "Here, {place}, let the world go a little quieter.",
    "Let yourself arrive, right here, {place}.",
]

TIME_LINES = {
    "morning": [
        "The day is just beginning. Before it asks anything of you, take this time for yourself.",
        "Morning is a good time to set your direction, gently, before the day takes over.",
    ],
    "midday": [
        "You've stepped out of the middle of your day. For a few minutes, it can wait.",
        "Halfway through the day is a good moment to pause and reset.",
    ],
    "afternoon": [
        "The afternoon can wait for a few minutes. This time is yours.",
        "This is a pause in the afternoon, a chance to gather yourself again.",
    ],
    "evening": [
        "The day is nearly done. Let this be the place where you put it down.",
        "Evening is here. Whatever happened today, you can let it settle now.",
    ],
    "night": [
        "The day is over now. There is nothing left to do tonight.",
        "Night has come, and the world is slowing down with you.",
    ],
}

MOOD_LINES = [
    "If you're feeling {mood} right now, that's alright. You don't need to change it to begin.",
    "You may be feeling {mood}. Let that be here, without needing to fix it.",
    "Feeling {mood} is a perfectly good place to start from.",
    "Notice it simply: right now you're feeling {mood}. That's where you begin.",
]

BACKGROUND_LINES = [
    "You came here because {background}. That makes sense, and you're in the right place.",
    "You arrived with something on your mind: {background}. Let it rest here with you.",
]

FOCUS_LINES = {
    "breath": [
        "Let the breath be your home base. Whenever you lose your way, come back to it.",
        "Notice how much the simple act of breathing can hold.",
        "Let the breath be enough for now.",
    ],
    "body_scan": [
        "Let the whole body be felt at once, from the crown of your head to the soles of your feet.",
        "Notice how the body feels now, compared with when you began.",
    ],
    "visualisation": [
        "Let the images fade when they're ready, and keep the feeling they gave you.",
        "Remember that the place you imagined is always there for you to return to.",
    ],
    "gratitude": [
        "Bring to mind three small things you're thankful for today, one at a time.",
        "Let gratitude be simple: the breath, the body, a person who cares about you.",
        "Notice how it feels in your chest to be thankful. Let that feeling grow a little.",
    ],
    "sleep": [
        "Let your body know that the day is done, and it's safe to rest.",
        "Let the heaviness spread, from your head all the way down to your feet.",
    ],
    "self_compassion": [
        "Silently offer yourself a few kind words: may I be gentle with myself.",
        "Let your own kindness reach the part of you that's been struggling.",
        "Notice any self-criticism, and meet it with warmth instead of argument.",
    ],
    "energy": [
        "Feel the energy in your body waking up: in your hands, your feet, your chest.",
        "Let each breath in bring a little more brightness and a little more strength.",
        "Notice how alive your body is, right now, in all its small movements.",
    ],
    "focus": [
        "Let your attention gather on a single point: the feeling of the breath at your nostrils.",
        "Notice how the mind steadies when it has one clear thing to rest on.",
        "Each time attention drifts, return it, the way you'd steady a camera.",
    ],
}

# Fragments for composed lines, used once the written lines of a long practice have all been spoken.
# "{in}. {out}." makes a guided breath; "Let your {part} {settle}." a settling cue.
BREATH_IN = [
    "Breathe in slowly through your nose",
    "Take a long, easy breath in",
    "Inhale softly, letting the belly fill first",
    "Breathe in, and feel the ribs open to the sides",
    "Take a slow breath in, all the way to the top",
    "Breathe in quietly, without any hurry",
    "Inhale, and feel the chest rise a little",
    "Breathe in, and notice the air arriving",
    "Take a deep, comfortable breath in",
    "Breathe in gently, as if breathing in fresh morning air",
]
BREATH_OUT = [
    "Breathe out, and let your shoulders drop",
    "Let the breath go, slowly and completely",
    "Exhale through the mouth, long and unhurried",
    "Breathe out, and feel the body soften",
    "Let the out-breath take a little longer",
    "Breathe out, and let go of any effort",
    "Exhale, and feel yourself settle a little deeper",
    "Let the air leave you like a quiet sigh",
    "Breathe out, and let the belly fall",
    "Exhale slowly, letting the face relax",
]
SLEEP_BREATH_IN = [
    "Breathe in, slow and soft",
    "Take a gentle breath in",
    "Inhale quietly, hardly moving",
    "Breathe in, and let the belly rise",
    "Breathe in, as slowly as feels easy",
    "Take one more soft breath in",
]
SLEEP_BREATH_OUT = [
    "Breathe out, and sink a little deeper",
    "Let the breath fall away, heavy and slow",
    "Exhale, and let the body grow heavier",
    "Breathe out, and let the bed hold you",
    "Let the out-breath carry you further down",
    "Breathe out, long and quiet, and let go",
]
SETTLE_PARTS = [
    "jaw",
    "shoulders",
    "hands",
    "belly",
    "forehead",
    "eyes",
    "tongue",
    "throat",
    "chest",
    "back",
    "legs",
    "feet",
    "arms",
    "hips",
    "face",
]
SETTLE_VERBS = [
    "soften",
    "relax a little more",
    "grow heavy",
    "let go",
    "rest",
    "loosen",
    "settle",
    "be still",
    "be easy",
]
SLEEP_SETTLE_VERBS = ["grow heavy", "sink", "rest", "go soft", "be still", "go to sleep"]
