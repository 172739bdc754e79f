"""Affirmations: the narrator's lines around them, and first-person present-tense statements per theme.

QUALITIES pair up into "I am calm and steady."; CHOICES fill "I choose ..."; STATEMENTS are whole lines.
"""

from __future__ import annotations

OPENERS = [
    "Welcome. Settle in, and let these words meet you where you are.",
    "Find a comfortable position, and let your breathing slow down a little.",
    "Take a moment to arrive. Let your shoulders soften and your hands rest.",
    "Welcome. There's nothing to prove here. Just listen, and let the words land.",
    "Let's begin. Sit comfortably, and let your attention come inward.",
    "Welcome to these affirmations. Give yourself a moment to settle before we begin.",
    "Find a quiet moment, and let your body relax into it.",
]

ENERGISING_OPENERS = [
    "Welcome! Sit or stand tall, and get ready to fill up with some good energy.",
    "Let's begin. Roll your shoulders back, lift your chin, and let's get going.",
]

SLEEP_OPENERS = [
    "Welcome. Settle into bed, let your body be heavy, and let these words be the last thing you hear today.",
    "Lie back and get comfortable. Let these words drift over you as you rest.",
]

SHORT_OPENERS = ["Welcome. Let these words settle in.", "Let's begin. Breathe, and listen."]

HOW_TO = [
    "As you hear each statement, repeat it silently, or simply let it settle.",
    "You don't have to believe every word yet. Let each one be an invitation.",
    "Say each line to yourself, quietly, as if it were already true.",
    "Let each sentence land in the body, not only in the mind.",
    "If a statement feels strange, that's fine. Just breathe, and let it pass through you.",
    "You can whisper the words, or just hear them. Either way, they're yours.",
]

INTENT_FRAMES = [
    "These affirmations are here to help you {goal}.",
    "Today's words are about {goal_ing}.",
    "Let these words support you as you {goal}.",
    "Let's use these words to help you {goal}.",
]

INTENT_STATEMENTS = [
    "I can {goal_me}.",
    "I choose to {goal_me}.",
    "I am ready to {goal_me}.",
    "I give myself permission to {goal_me}.",
    "I am learning to {goal_me}, a little more each day.",
    "I trust myself to {goal_me}.",
    "I have what I need to {goal_me}.",
    "I am allowed to {goal_me}.",
]

STATEMENTS = {
    "sleep": [
        "I let go of the day.",
        "My body knows how to rest.",
        "I am safe, and I can rest now.",
        "I release today's thoughts, one by one.",
        "I welcome deep and easy sleep.",
        "I deserve a peaceful night.",
        "I let my mind slow down.",
        "I trust tomorrow to take care of itself.",
    ],
    "performance": [
        "I am prepared, and I trust what I know.",
        "I breathe in calm, and I breathe out tension.",
        "I can feel nervous and still do well.",
        "I speak clearly and calmly.",
        "I bring my best self to this moment.",
        "I belong in that room.",
        "I handle whatever comes, one moment at a time.",
        "I am steady, even when my heart beats fast.",
    ],
    "stress": [
        "I set down what I don't need to carry.",
        "I did enough today.",
        "I let the day go, breath by breath.",
        "I release the tension in my shoulders.",
        "I am more than my to-do list.",
        "I give myself permission to rest.",
        "I can let go of what I cannot control.",
        "I make space for quiet.",
    ],
    "calm": [
        "I am safe in this moment.",
        "I breathe slowly, and my body listens.",
        "I let my thoughts pass without holding on.",
        "I can return to calm at any time.",
        "Each breath makes me a little steadier.",
        "I meet this moment with patience.",
        "I let my shoulders soften and my breath deepen.",
        "I am allowed to slow down.",
    ],
    "confidence": [
        "I trust myself.",
        "I believe in my ability to grow.",
        "I am worthy of taking up space.",
        "I speak with a steady voice.",
        "I stand tall, and I feel grounded.",
        "I have handled hard things before.",
        "I am enough, just as I am.",
        "My voice matters.",
    ],
    "focus": [
        "I give my full attention to one thing at a time.",
        "My mind is clear and steady.",
        "I return to my task with ease.",
        "I let distractions pass me by.",
        "I know what matters most today.",
        "I work with calm, steady attention.",
        "I am present with what's in front of me.",
    ],
    "energy": [
        "I am filled with fresh energy.",
        "My body is strong and awake.",
        "I welcome this day with an open heart.",
        "I have the energy I need for what matters.",
        "I feel alive in my body.",
        "I move through my day with ease and strength.",
        "I breathe in energy, and I breathe out heaviness.",
    ],
    "gratitude": [
        "I am grateful for this breath.",
        "I notice the good things in my life.",
        "I appreciate the people who care for me.",
        "I find something to be thankful for in every day.",
        "I am thankful for my body and all it does.",
        "I let gratitude soften my heart.",
        "I have so much to be grateful for.",
    ],
    "self_compassion": [
        "I am kind to myself.",
        "I am doing the best I can.",
        "I forgive myself for not being perfect.",
        "I speak to myself with warmth.",
        "I deserve my own care.",
        "I accept myself as I am today.",
        "I am worthy of love, just as I am.",
        "I treat my mistakes as lessons, not as proof.",
    ],
    "grief": [
        "I allow myself to feel what I feel.",
        "I carry my love with me.",
        "I am gentle with my heart.",
        "I take this one day at a time.",
        "I let myself rest when I need to.",
        "I am not alone in this.",
        "I honour what I have lost.",
    ],
    "anger": [
        "I feel my anger, and I choose how to respond.",
        "I let the heat move through me and out.",
        "I breathe before I speak.",
        "I can hold my ground and stay calm.",
        "I release what I cannot change.",
        "I respond with clarity, not with force.",
    ],
    "change": [
        "I can handle what comes.",
        "I trust myself to find my way.",
        "I welcome new beginnings.",
        "I am steady, even as things change.",
        "I take one step at a time.",
        "I grow through every change.",
        "I let go of what was, and I open to what is.",
    ],
    "relationships": [
        "I give and receive love freely.",
        "I listen with an open heart.",
        "I set kind and clear boundaries.",
        "I let others be who they are.",
        "I bring patience to the people I love.",
        "I am worthy of kindness and respect.",
    ],
    "body": [
        "I listen to my body with kindness.",
        "My body is doing its best for me.",
        "I give my body the rest it needs.",
        "I am patient with my healing.",
        "I thank my body for carrying me.",
        "I breathe ease into every part of me.",
    ],
    "general": [
        "I am here, and I am enough.",
        "I meet this moment as it is.",
        "I treat myself with kindness.",
        "I trust the pace of my own life.",
        "I am safe in my body.",
        "I can begin again at any moment.",
        "I choose peace over worry.",
        "I am open to what today brings.",
        "I let go of what I can't control.",
        "I deserve rest and care.",
    ],
}

QUALITIES = {
    "sleep": ["calm", "heavy", "safe", "quiet", "ready to rest", "at ease"],
    "performance": ["prepared", "focused", "steady", "capable", "ready", "calm"],
    "stress": ["calm", "at ease", "unhurried", "settled", "free to rest", "lighter"],
    "calm": ["calm", "safe", "steady", "grounded", "at peace", "patient"],
    "confidence": ["confident", "capable", "strong", "worthy", "brave", "sure of myself"],
    "focus": ["focused", "clear", "present", "steady", "attentive", "centred"],
    "energy": ["energised", "awake", "strong", "alive", "motivated", "bright"],
    "gratitude": ["grateful", "content", "open", "blessed", "thankful", "generous"],
    "self_compassion": ["kind", "worthy", "enough", "gentle", "loved", "patient"],
    "grief": ["tender", "held", "patient", "brave", "gentle", "open-hearted"],
    "anger": ["calm", "clear", "steady", "in control", "grounded", "patient"],
    "change": ["adaptable", "steady", "open", "resilient", "capable", "curious"],
    "relationships": ["loving", "patient", "open", "kind", "present", "connected"],
    "body": ["strong", "well", "cared for", "patient", "resilient", "at ease"],
    "general": ["calm", "present", "grounded", "open", "steady", "at peace"],
}

CHOICES = {
    "sleep": ["rest", "quiet", "stillness", "sleep"],
    "performance": ["calm", "courage", "focus", "presence"],
    "stress": ["ease", "rest", "calm", "balance"],
    "calm": ["calm", "patience", "peace", "steadiness"],
    "confidence": ["courage", "self-belief", "boldness", "self-trust"],
    "focus": ["focus", "clarity", "steady attention", "presence"],
    "energy": ["energy", "movement", "vitality", "joy"],
    "gratitude": ["gratitude", "appreciation", "contentment", "joy"],
    "self_compassion": ["kindness", "self-acceptance", "gentleness", "patience"],
    "grief": ["gentleness", "patience", "rest", "love"],
    "anger": ["calm", "clarity", "patience", "understanding"],
    "change": ["courage", "openness", "trust", "growth"],
    "relationships": ["kindness", "patience", "connection", "understanding"],
    "body": ["rest", "care", "patience", "healing"],
    "general": ["peace", "presence", "kindness", "ease"],
}

CHOICE_FRAMES = [
    "I choose {choice}.",
    "Today, I choose {choice}.",
    "I make room for {choice}.",
    "I welcome {choice}.",
    "I open myself to {choice}.",
    "I invite {choice} into this day.",
    "I am worthy of {choice}.",
]
QUALITY_FRAMES = [
    "I am {a} and {b}.",
    "I am {a}, and I am {b}.",
    "I feel {a} and {b}.",
    "I allow myself to be {a}.",
    "I can be {a}, even now.",
    "I am {a}, here and now.",
]
BODY_FRAMES = ["I let my {part} {verb}.", "I let my {part} {verb}, and I breathe."]
BODY_PARTS = ["jaw", "shoulders", "hands", "belly", "forehead", "face", "chest", "whole body"]
BODY_VERBS = ["soften", "relax", "rest", "unwind", "be easy"]
SLEEP_BODY_VERBS = ["grow heavy", "sink", "rest", "go soft"]

ENERGISING_STATEMENTS = [
    "I am ready for this day!",
    "I have everything I need to shine.",
    "I bring energy and joy to what I do!",
    "I am unstoppable when I trust myself.",
]

ROUND_INTROS = [
    "Let's continue. Let each word settle before the next one arrives.",
    "Here are a few more. Breathe them in, one at a time.",
    "Let's go a little deeper. Let the words speak to the body.",
    "Stay with the words. Let them become your own.",
    "Notice how the words feel now. Let's continue.",
]

SECOND_ROUND_INTROS = [
    "Now, once more, a little slower. Let each one settle deeper.",
    "Let's repeat a few of these. This time, feel them in the body as you hear them.",
    "Once more. Let the words sink in.",
    "Once more, slowly.",
    "And again, a little slower.",
    "Again, gently. Notice which words feel most true today.",
    "Let's go through some of these again. This time, say them with me, silently.",
]

REFLECT = [
    "Which of these words do you most need to hear today?",
    "What changes in your body when you hear these words?",
    "How would today feel if you believed these words completely?",
    "Which statement felt most true, and which felt hardest to say?",
    "What would you do differently if you trusted these words?",
]

IMAGINE = [
    "Picture yourself later today, carrying these words with you.",
    "Imagine someone who loves you saying these words to you.",
    "Let one of these words rest in your chest, like a warm hand.",
    "Picture yourself living these words, calmly and naturally.",
]

CLOSINGS = [
    "Take one more breath, and let these words stay with you.",
    "Carry these words into your day. Come back to them whenever you need.",
    "Let the words settle. They're yours now.",
    "Thank yourself for taking this time. These words will be here whenever you need them.",
    "Let the words keep working quietly in the background of your day.",
]

CLOSING_ENDS = [
    "When you're ready, open your eyes, and let the words travel with you.",
    "Gently open your eyes, and take the words with you.",
    "When you feel ready, open your eyes and carry on, a little steadier.",
]

ENERGISING_ENDS = [
    "Open your eyes, stand tall, and go and meet your day!",
    "Open your eyes, and take this energy with you.",
]

SLEEP_CLOSINGS = [
    "Let these words follow you into sleep.",
    "Rest now, and let the words keep working quietly while you sleep.",
    "Let the words grow soft and far away, and let sleep come.",
    "There's nothing more to do. Let the words settle, and let yourself drift.",
]
