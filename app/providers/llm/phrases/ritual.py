"""Rituals: short steps chosen by the time of day. Breath cues, rest and theme lines come from common and themes."""

from __future__ import annotations

# Step names per kind of ritual, in order.
STEPS = {
    "morning": ["wake", "breath", "intention", "movement", "affirmation", "closing"],
    "midday": ["pause", "breath", "body", "intention", "affirmation", "closing"],
    "evening": ["arrive", "release", "gratitude", "tomorrow", "closing"],
    "night": ["arrive", "release", "gratitude", "rest"],
}

WAKE_OPEN = [
    "Good morning. Before you reach for anything, take a moment just for you.",
    "Good morning. Let yourself wake slowly, still resting where you are.",
    "Good morning. Before the day begins, pause here for a moment.",
    "Good morning. Let's start the day gently, with a few minutes just for you.",
]

WAKE = [
    "Notice the light in the room, and the sounds of the morning.",
    "Feel your body waking up: your hands, your feet, your face.",
    "Stretch gently, any way your body wants to.",
    "Notice how you feel this morning, without needing to change it.",
    "Let your eyes open slowly, and take in the room around you.",
    "Feel the air on your face, and the weight of your body still resting.",
]

ENERGISING_WAKE = [
    "Good morning! A new day, and it starts right here.",
    "Good morning. Sit up, stretch tall, and let the day begin.",
]

MORNING_BREATH = [
    "Let's take a few slow breaths to begin the day.",
    "With each breath in, invite in a little more energy.",
    "Let the morning air fill your lungs, and let your body wake up from the inside.",
    "Feel the breath moving through you, fresh and new, like the day.",
]

MORNING_INTENTION = [
    "Now set an intention for today. Keep it simple: to {goal}.",
    "Let your intention for today be clear and kind: to {goal}.",
    "Picture a moment later today, and see yourself able to {goal}.",
    "Say it silently to yourself: today, I will {goal_me}.",
    "Let this intention be a thread that runs through the whole day: {goal_ing}.",
]

MORNING_REFLECT = [
    "How do you want to feel today?",
    "What is one thing that would make today a good day?",
    "What do you need from yourself today?",
    "Who do you want to be as you move through today?",
]

MOVEMENT_INTROS = [
    "Now, bring a little movement into your body.",
    "Let's wake the body up with some gentle movement.",
    "Let's move a little now, slowly, listening to your body.",
]

MOVEMENT = [
    "Roll your shoulders back, slowly, three times.",
    "Reach your arms up overhead, and stretch long through your sides.",
    "Gently tilt your head toward one shoulder, then the other.",
    "Circle your wrists, one way and then the other.",
    "Circle your ankles slowly, and wiggle your toes.",
    "If you can, stand up and feel your feet on the floor.",
    "Fold forward softly, letting your head hang heavy, then roll up slowly.",
    "Twist gently to one side, and then to the other.",
    "Shake out your hands, as if shaking off water.",
    "Reach one arm up and over to the side, then switch.",
    "Rise up onto your toes, then lower your heels back down.",
    "Open your arms wide, and feel your chest open.",
    "Press your palms together in front of your chest, and feel the strength in your arms.",
    "Nod your head slowly, then turn it gently from side to side.",
    "Interlace your fingers, turn your palms away from you, and stretch your arms forward.",
    "Let your whole body sway gently, like a tree in a light breeze.",
    "Shrug your shoulders up toward your ears, hold, and let them drop.",
    "Stand tall, and feel the length of your spine, from your tailbone to the crown of your head.",
]

AFFIRMATION_INTROS = [
    "Now, say these words to yourself, quietly.",
    "Let's finish with a few words to carry into the day.",
    "Repeat these words silently, and let them settle.",
    "Here are a few words for today. Let each one land.",
]

MORNING_CLOSE = [
    "Your day begins now. Take this intention with you.",
    "Carry this into the first thing you do today.",
    "Whenever the day gets busy, come back to one slow breath.",
    "Remember your intention as you move into the day.",
]

MORNING_END = [
    "Open your eyes fully, and step into your morning.",
    "You're ready. Let the day unfold.",
    "Take one more full breath, open your eyes, and begin your day.",
]

MIDDAY_OPEN = [
    "Let's take a pause in the middle of your day. Wherever you are, stop for a moment.",
    "Time for a short pause. Let everything else wait for a few minutes.",
    "Let's stop for a moment, right here, in the middle of things.",
]

MIDDAY_PAUSE = [
    "Put down what you're holding, and let your hands rest.",
    "Let your eyes close, or let them rest on something still.",
    "Let the busyness of the day step back a little.",
    "Notice how you're sitting or standing, and let your weight settle.",
    "For these few minutes, nothing needs your attention but you.",
]

MIDDAY_BODY = [
    "Notice your shoulders. If they've crept up toward your ears, let them drop.",
    "Unclench your jaw, and let your tongue rest.",
    "Notice your hands. Let them open and soften.",
    "Feel your feet on the floor, and let them carry your weight.",
    "Notice where you've been holding tension this morning, and let it ease.",
    "Let your belly soften, and let the breath reach it.",
    "Roll your neck slowly, and feel the stiffness begin to melt.",
    "Let your eyes rest. They've been working hard.",
]

MIDDAY_INTENTION = [
    "Now, choose how you want to meet the rest of the day: to {goal}.",
    "Let your intention for the afternoon be simple: to {goal}.",
    "Let the rest of the day be a little simpler than the first half.",
    "Choose one thing to give your full attention to next.",
    "Picture the next few hours going well, with you able to {goal}.",
]

MIDDAY_REFLECT = [
    "What matters most for the rest of today?",
    "What can you let go of from this morning?",
    "What would help you feel a little more at ease this afternoon?",
]

MIDDAY_CLOSE = [
    "Whenever you need it, you can come back to one slow breath.",
    "Let's carry this calm into the rest of your day.",
    "Notice how you feel now, compared with a few minutes ago.",
]

MIDDAY_END = [
    "Return to your day, a little steadier than before.",
    "Open your eyes, and take this pause with you.",
    "When you're ready, open your eyes, and carry on at an easy pace.",
]

EVENING_OPEN = [
    "Good evening. Let this be the moment your day begins to close.",
    "Good evening. You've done enough for today. Let yourself arrive here.",
    "Good evening. Let's take a few minutes to close the day gently.",
]

EVENING_ARRIVE = [
    "Let your body settle, and let the pace of the day slow down.",
    "Let your eyes close, and let the evening be quiet around you.",
    "Find a comfortable position, and let your hands rest.",
    "Notice the stillness of the evening, and let it reach you.",
]

NIGHT_OPEN = [
    "The day is done. Let yourself lie down and be still.",
    "Settle into bed, and let your body be fully held.",
    "It's time to rest. Lie down, and let the day come to an end.",
]

NIGHT_ARRIVE = [
    "Let your eyes close, and let the darkness be soft.",
    "Draw the covers close, and let yourself get warm and comfortable.",
    "There is nothing else to do tonight. Only rest.",
]

RELEASE = [
    "Think back over the day, without judging it. Let the moments pass by, one by one.",
    "With each breath out, put down one thing the day asked of you.",
    "Let your hands open, palms up, as a sign that you're letting go.",
    "Whatever didn't get done can wait until tomorrow.",
    "Feel the day's tension in your shoulders, and let it drain down your arms and out through your fingers.",
    "Let the conversations of the day fade, like voices in another room.",
    "If something from today is still bothering you, acknowledge it, and let it rest for now.",
    "Imagine the day as a book you're gently closing.",
    "Let the tasks, the messages and the plans all go quiet.",
    "Notice what you've been carrying today, and imagine setting it down beside you.",
    "Let the day be finished, just as it is.",
    "Let the release be physical: soften your forehead, your jaw, your belly.",
]

RELEASE_INTENT = [
    "This is a time for {goal_ing}. Let the evening help you.",
    "You came here to {goal}. Let each breath out take you a little closer.",
    "Let this be the moment you {goal}.",
]

GRATITUDE = [
    "Bring to mind one thing from today that you're grateful for, however small.",
    "Think of someone who made your day a little easier, and silently thank them.",
    "Thank your body for carrying you through the day.",
    "Remember a moment today when you felt at ease, even briefly.",
    "Notice something you did well today, and let yourself acknowledge it.",
    "Let yourself feel thankful for this quiet moment, right now.",
    "Remember a small pleasure from today: a taste, a sound, a kind word.",
    "Let gratitude settle in your chest, warm and easy.",
    "Think of a place you love, and let yourself feel thankful that it exists.",
    "Remember something that made you smile today, even for a second.",
    "Bring to mind a simple comfort you have right now: warmth, a roof, a place to rest.",
    "Think of someone you love, and silently wish them well.",
    "Notice one thing your body did for you today without being asked.",
    "Let yourself appreciate the effort you made today, whatever the result.",
]

GRATITUDE_REFLECT = [
    "What is one moment from today you'd like to remember?",
    "Who or what made today a little better?",
    "What are you grateful for, right now, in this moment?",
    "What did you learn today, even something small?",
    "What kindness did you receive today, or give?",
    "What are you looking forward to?",
]

TOMORROW = [
    "Now set a gentle intention for tomorrow: to {goal}.",
    "Picture tomorrow morning, and see yourself waking rested and ready.",
    "Let tomorrow be a fresh start, with room to {goal}.",
    "Let your intention for tomorrow be simple and kind.",
    "Whatever tomorrow brings, you can meet it after a good night's rest.",
]

EVENING_CLOSE = [
    "Let the rest of the evening be slow and kind.",
    "Let this calm stay with you as the evening goes on.",
    "Take one more slow breath, and let the day be complete.",
]

EVENING_END = [
    "When you're ready, open your eyes, and enjoy the rest of your evening.",
    "Gently open your eyes, and let the evening continue, quiet and unhurried.",
]

NIGHT_REST = [
    "Now let the body rest completely, heavy and warm.",
    "Let your breath slow down, all by itself.",
    "Let sleep come when it's ready. There's no need to chase it.",
    "Let the day dissolve, and let the night take over.",
    "Let each breath carry you a little further into rest.",
    "You are safe, you are warm, and you can let go now.",
]

NIGHT_END = [
    "Sleep well. Let yourself drift.",
    "Rest now, and let the night carry you.",
    "Let go now, into a deep and easy sleep.",
]
