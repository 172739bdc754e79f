"""What an intent is about: keyword stems per theme, a title noun, a fallback goal, and lines for each theme.

THEME_KEYWORDS is ordered: on a tie, the theme listed first wins. Goals are written in the first person
and go through the same reader as the person's own words.
"""

from __future__ import annotations

from app.providers.llm.phrases.lexicon import phrases

THEME_KEYWORDS = {
    "sleep": phrases("sleep|asleep|insomnia|bedtime|bed|night|tonight|drift off|nap|snooz|wind down"),
    "performance": phrases(
        "interview|exam|test|presentation|speech|meeting|audition|competition|race|match|game|pitch|talk|"
        "perform|recital|deadline|stage|first date|job"
    ),
    "stress": phrases(
        "stress|workday|work|let go|letting go|unwind|decompress|tension|busy|burnout|burnt out|hectic|"
        "switch off|overwhelm|long day"
    ),
    "calm": phrases("calm|anxi|nervous|panic|worr|relax|peace|settle|quiet|sooth|fear|scared|breath|racing|overthink"),
    "confidence": phrases("confiden|self-esteem|believe in|brave|courage|worthy|bold|assert|shy|sure of myself"),
    "focus": phrases(
        "focus|refocus|concentrat|productiv|study|studying|clarity|clear|distract|attention|present moment"
    ),
    "energy": phrases("energ|motivat|wake up|waking|tired|sluggish|fresh|vitality|start the day|get going|morning"),
    "gratitude": phrases("grateful|gratitude|thank|appreciat|blessing"),
    "self_compassion": phrases(
        "kind to myself|kinder|compassion|self-love|love myself|forgiv|gentle with myself|inner critic|enough|"
        "accept myself|self-worth|harsh"
    ),
    "grief": phrases("grief|griev|loss|lost someone|miss|sad|sorrow|heartbreak|breakup|break-up|lonely|mourn"),
    "anger": phrases("anger|angry|frustrat|irritat|resent|rage|annoy|temper"),
    "change": phrases("change|new job|moving house|move|transition|uncertain|future|decision|start over|fresh start"),
    "relationships": phrases("partner|family|kids|children|friend|relationship|conflict|parent|colleague"),
    "body": phrases("pain|heal|sick|recover|illness|my body|injur|chronic|headache|surgery|operation|hospital"),
}

# Themes close to each one, whose statements a long affirmation set borrows so it doesn't circle too tightly.
NEIGHBOURS = {
    "sleep": ["calm", "body"],
    "performance": ["confidence", "calm"],
    "stress": ["calm", "self_compassion"],
    "calm": ["body", "self_compassion"],
    "confidence": ["self_compassion", "performance"],
    "focus": ["energy", "calm"],
    "energy": ["focus", "gratitude"],
    "gratitude": ["relationships", "calm"],
    "self_compassion": ["grief", "calm"],
    "grief": ["self_compassion", "relationships"],
    "anger": ["calm", "relationships"],
    "change": ["confidence", "calm"],
    "relationships": ["self_compassion", "gratitude"],
    "body": ["calm", "self_compassion"],
    "general": ["calm", "gratitude"],
}

THEME_NOUNS = {
    "sleep": "Restful Sleep",
    "performance": "Calm Confidence",
    "stress": "Letting Go",
    "calm": "Calm",
    "confidence": "Confidence",
    "focus": "Focus",
    "energy": "Energy",
    "gratitude": "Gratitude",
    "self_compassion": "Self-Compassion",
    "grief": "a Tender Heart",
    "anger": "Cooling Anger",
    "change": "Steadiness in Change",
    "relationships": "Connection",
    "body": "a Kind Body",
    "general": "Inner Peace",
}

THEME_GOALS = {
    "sleep": "rest deeply and let sleep come",
    "performance": "feel calm and prepared",
    "stress": "let go of what I've been carrying",
    "calm": "find a little more calm",
    "confidence": "feel steady and sure of myself",
    "focus": "find a clear and steady focus",
    "energy": "wake up my energy",
    "gratitude": "notice what I'm grateful for",
    "self_compassion": "be kinder to myself",
    "grief": "make room for what I'm feeling",
    "anger": "cool down and find my balance",
    "change": "feel steady as things change",
    "relationships": "meet the people in my life with an open heart",
    "body": "be gentle with my body",
    "general": "find a little peace",
}

# Spoken in the intention part of a meditation (and borrowed by rituals). Second person, present tense.
THEME_LINES = {
    "sleep": [
        "Sleep can't be forced, but it can be invited. All you need to do now is rest.",
        "Your body knows how to sleep. You don't have to do anything to make it happen.",
        "Even resting like this, awake and still, is giving your body what it needs.",
        "Let the night be long and soft. There's plenty of time.",
        "Each slow breath is a small step down, toward sleep.",
    ],
    "performance": [
        "Picture yourself walking in, feet steady, breath low and slow.",
        "You've prepared for this. Trust what you already know.",
        "Nerves and excitement feel almost the same in the body. Let this energy be on your side.",
        "You don't need to be perfect. You only need to be present.",
        "Imagine the first moment: you breathe out, you look up, and you begin.",
        "Feel your feet on the ground. That steadiness comes with you into the room.",
    ],
    "stress": [
        "The day has asked a lot of you. You don't have to carry it any further right now.",
        "Imagine setting the day down, like a heavy bag slipping from your shoulder.",
        "Whatever didn't get done can wait. Right now, your only task is to breathe.",
        "Notice where the day is still living in your body, and let that place soften.",
        "You did what you could today. That is enough.",
        "Let the noise of the day fade, like a room emptying out after everyone has gone home.",
    ],
    "calm": [
        "Calm isn't something you have to force. It's what's left when you stop pushing.",
        "Let your body get the message: right now, in this breath, you are safe.",
        "A long, slow out-breath is one of the quickest ways to tell your body it can relax.",
        "Anxious thoughts may come and go. Let them pass through without holding on to them.",
        "Feel the ground holding you. You don't have to hold yourself up right now.",
        "Steadiness is already here, underneath the busy surface. Let yourself sink toward it.",
    ],
    "confidence": [
        "Feel your feet on the ground and your spine tall. This is how confidence feels in the body.",
        "Remember a time you handled something hard. That strength is still yours.",
        "You don't have to feel fearless. Confidence can be quiet and steady.",
        "Let your chest open a little, and your chin lift slightly. Notice how that changes how you feel.",
        "You have a right to take up space, to speak, and to be heard.",
    ],
    "focus": [
        "Let your attention gather, like light coming into focus.",
        "For now there is one thing to do: feel this breath. Everything else can wait.",
        "Notice how clear the mind becomes when it rests on one thing at a time.",
        "When your thoughts scatter, come back to the breath. Each return strengthens your focus.",
        "Picture the one task that matters most, and let everything else fall away for now.",
    ],
    "energy": [
        "Feel a gentle aliveness in your hands and feet, a quiet hum of energy.",
        "With each breath in, imagine fresh energy flowing into your chest and arms.",
        "Notice the warmth in your body. That warmth is energy, ready when you need it.",
        "Let your posture lift a little, as if the day were rising to meet you.",
        "Energy isn't only something you spend. Right now, you're filling up.",
    ],
    "gratitude": [
        "Notice something simple you're grateful for: the breath, the ground, this quiet moment.",
        "Bring to mind someone who has been kind to you, and let yourself feel thankful.",
        "Gratitude doesn't need big things. A warm drink, a kind word, a moment of rest will do.",
        "Let the feeling of appreciation spread through your chest, warm and easy.",
        "Think of one small thing that went right today, and let yourself enjoy it again.",
    ],
    "self_compassion": [
        "Place a hand on your heart, if you like, and feel its warmth.",
        "Speak to yourself the way you would speak to someone you love.",
        "You are doing the best you can with what you have. That is enough.",
        "Notice any harsh voice inside, and answer it gently: I'm here, and I'm trying.",
        "Let yourself be held by your own kindness, just for these few breaths.",
    ],
    "grief": [
        "Let whatever you're feeling be here. There is nothing wrong with you for feeling it.",
        "Grief is love with nowhere to go. Let it rest here with you for a moment.",
        "You don't have to be strong right now. You only have to breathe.",
        "If tears come, let them. They are part of how the heart heals.",
        "Let the breath be a soft place for whatever you're carrying.",
    ],
    "anger": [
        "Anger is energy. Notice it as heat or pressure somewhere in the body, and let the breath cool it.",
        "You don't have to act on this feeling. Just let it be felt, and let it move.",
        "Let your hands unclench. Let your jaw loosen. Let the heat drain down into the ground.",
        "Underneath the anger, there is often something that matters to you. Let yourself notice it.",
        "Each long out-breath lets a little more of the pressure go.",
    ],
    "change": [
        "Change is unsettling, even when it's good. You can be unsure and still be steady.",
        "You don't need to know how everything turns out. You only need to take the next step.",
        "Feel what stays the same: your breath, your body, the ground beneath you.",
        "You have come through changes before. Let yourself remember that.",
        "Let the future be open for now. This moment is solid enough to stand on.",
    ],
    "relationships": [
        "Bring to mind the people you care about, and let your breath soften toward them.",
        "Picture someone close to you, and silently wish them well.",
        "Notice where you hold tension around others, and let it ease a little.",
        "Let yourself remember that everyone, like you, is doing their best.",
        "Connection begins with being at ease in yourself. Let this breath help with that.",
    ],
    "body": [
        "Let your body be just as it is. You don't have to fix anything right now.",
        "Send the breath toward any place that aches, and let it be met with kindness.",
        "Thank your body for everything it's carrying you through.",
        "Notice a place in the body that feels comfortable, and rest your attention there.",
        "Healing takes its own time. For now, let rest be part of it.",
    ],
    "general": [
        "Let yourself simply be here, as you are.",
        "There is nothing to improve in this moment. Only something to notice.",
        "Let this quiet be a place you can return to whenever you need it.",
        "Notice the simple steadiness of resting and breathing.",
        "You don't need to get anywhere. You're already here.",
    ],
}

# Contemplative lines for any intent, spoken once a long practice has used its theme's own lines.
INSIGHTS = [
    "Notice that, right now, in this breath, nothing is missing.",
    "Thoughts about the past and the future can wait. This moment is the only one you need to be in.",
    "Notice how the body keeps breathing for you, steadily, without being asked.",
    "You don't have to solve anything right now. You only have to be here.",
    "Notice the difference between what is happening, and your thoughts about it.",
    "Every time you come back to the breath, you're practising coming home to yourself.",
    "Let the quiet be a little wider than your thoughts.",
    "Whatever you're feeling, notice that you are also the one who is aware of it.",
    "There is a steady place in you that doesn't get caught up in the rush. Rest there.",
    "Notice how feelings change when you simply let them be.",
    "Each moment of attention is enough. You can't do this wrong.",
    "Let your mind be as open as the sky, with thoughts passing through like weather.",
    "Notice the spaces: between breaths, between sounds, between thoughts.",
    "Let this time count for something simply because you gave it to yourself.",
    "Nothing needs to be added to this moment for it to be enough.",
    "Notice how much softer everything feels when you stop bracing against it.",
]
